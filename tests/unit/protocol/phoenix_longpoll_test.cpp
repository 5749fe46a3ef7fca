#include "protocol/phoenix_longpoll.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace sg::protocol::longpoll {
namespace {

TEST(PhoenixLongPoll, PollAnswerCarriesMessagesAsJsonStrings) {
  std::deque<pubsub::Frame> messages{std::make_shared<const std::string>(R"([null,null,"room:a","ev",{"q":"\"x\n"}])"),
                                     std::make_shared<const std::string>("[]")};
  auto v = boost::json::parse(pollAnswer(kOk, "tok", messages));
  EXPECT_EQ(v.at("status").as_int64(), 200);
  EXPECT_EQ(v.at("token").as_string(), "tok");
  ASSERT_EQ(v.at("messages").as_array().size(), 2u);
  EXPECT_EQ(v.at("messages").at(0).as_string(), *messages[0]);
  EXPECT_EQ(boost::json::parse(pollAnswer(kGone, "t", {})).at("messages").as_array().size(), 0u);
}

TEST(PhoenixLongPoll, RefusalsUseOnlyStatusesTheClientKnows) {
  EXPECT_EQ(refusalStatus(CloseReason::MissingCredentials), 403);
  EXPECT_EQ(refusalStatus(CloseReason::ForbiddenOrigin), 403);
  EXPECT_EQ(refusalStatus(CloseReason::BadRequest), 403);
  EXPECT_EQ(refusalStatus(CloseReason::RateLimited), 500);
  EXPECT_EQ(refusalStatus(CloseReason::ServerBusy), 500);
  EXPECT_EQ(endedStatus(CloseReason::SessionRevoked), 403);
  EXPECT_EQ(endedStatus(CloseReason::TokenExpired), 403);
  EXPECT_EQ(endedStatus(CloseReason::SlowConsumer), 410);
  EXPECT_EQ(endedStatus(CloseReason::HeartbeatTimeout), 410);
  EXPECT_EQ(endedStatus(CloseReason::GoingAway), 410);
  for (int i = 0; i < kCloseReasonCount; ++i) {
    auto r = static_cast<CloseReason>(i);
    EXPECT_TRUE(refusalStatus(r) == 403 || refusalStatus(r) == 500);  // never 410: that opens a session
    auto v = boost::json::parse(refusalAnswer(endedStatus(r), r, 1500));
    EXPECT_EQ(v.at("error").as_string(), closeInfo(r).name);
    EXPECT_EQ(v.at("retry_after_ms").as_int64(), 1500);
  }
}

TEST(PhoenixLongPoll, SplitsNdjsonBatches) {
  auto parts = splitBatch("[\"a\"]\r\n{\"v1\":1}\n\naGVsbG8=\n", true);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].data, "[\"a\"]");
  EXPECT_FALSE((*parts)[0].binary);
  EXPECT_EQ((*parts)[1].data, "{\"v1\":1}");
  EXPECT_EQ((*parts)[2].data, "hello");
  EXPECT_TRUE((*parts)[2].binary);
  // Another content type is one text message, newlines and all.
  auto whole = splitBatch("[1,\n2]", false);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->size(), 1u);
  EXPECT_EQ(splitBatch("not base64!", true).error(), BatchError::BadBase64);
  std::string many;
  for (int i = 0; i < 101; ++i) many += "[]\n";
  EXPECT_EQ(splitBatch(many, true).error(), BatchError::TooMany);
  many.resize(many.size() - 3);
  EXPECT_TRUE(splitBatch(many, true));
}

}  // namespace
}  // namespace sg::protocol::longpoll
