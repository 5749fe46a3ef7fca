// PhoenixSocket: heartbeats, pushes, control events and malformed frames.
#include "protocol/socket_harness.hpp"

#include "protocol/phoenix_codec.hpp"

#include <gtest/gtest.h>

namespace sg::protocol {
namespace {

using test::errorReply;
using test::FakeTransport;
using test::okReply;
using test::SocketHarness;
namespace json = boost::json;

class PhoenixSocketFrames : public ::testing::Test {
 protected:
  SocketHarness harness;
  FakeTransport transport;
  std::unique_ptr<PhoenixSocket> socket = harness.makeSocket(transport);
};

TEST_F(PhoenixSocketFrames, HeartbeatRepliesOk) {
  socket->onText(R"([null,"5","phoenix","heartbeat",{}])");
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_EQ(transport.json(0), json::parse(R"([null,"5","phoenix","phx_reply",{"status":"ok","response":{}}])"));
}

TEST_F(PhoenixSocketFrames, PushToAJoinedTopicIsHandled) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  socket->onText(R"(["1","2","room:lobby","ping",{"n":7}])");
  EXPECT_EQ(transport.lastJson(), okReply("1", "2", "room:lobby", R"({"n":7})"));
}

// Phoenix answers a push to a topic it has no channel for without a join_ref.
TEST_F(PhoenixSocketFrames, PushToAnUnjoinedTopicIsUnmatched) {
  socket->onText(R"(["1","2","room:lobby","ping",{}])");
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_EQ(transport.json(0), boost::json::parse(
      R"([null,"2","room:lobby","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}])"));
}

// A push for an earlier join of the topic is ignored, as Phoenix does.
TEST_F(PhoenixSocketFrames, PushWithStaleJoinRefIsIgnored) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  socket->onText(R"(["3","3","room:lobby","phx_join",{}])");
  std::size_t before = transport.sent.size();
  socket->onText(R"(["1","4","room:lobby","ping",{}])");
  EXPECT_EQ(transport.sent.size(), before);
  socket->onText(R"(["3","5","room:lobby","ping",{}])");
  EXPECT_EQ(transport.lastJson(), okReply("3", "5", "room:lobby"));
}

// The reply to a push carries the channel's join_ref even when the push had none, and
// integer refs come back as integers.
TEST_F(PhoenixSocketFrames, ReplyCarriesTheChannelsJoinRef) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  socket->onText(R"([null,"2","room:lobby","ping",{}])");
  EXPECT_EQ(transport.lastJson(), okReply("1", "2", "room:lobby"));
  socket->onText(R"([7,7,"room:numbers","phx_join",{}])");
  EXPECT_EQ(transport.lastJson(), boost::json::parse(R"([7,7,"room:numbers","phx_reply",{"status":"ok","response":{}}])"));
  socket->onText(R"([null,8,"room:numbers","ping",{}])");
  EXPECT_EQ(transport.lastJson(), boost::json::parse(R"([7,8,"room:numbers","phx_reply",{"status":"ok","response":{}}])"));
}

TEST_F(PhoenixSocketFrames, PushWithoutRefGetsNoReply) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  std::size_t before = transport.sent.size();
  socket->onText(R"(["1",null,"room:lobby","ping",{}])");
  EXPECT_EQ(transport.sent.size(), before);
}

TEST_F(PhoenixSocketFrames, ListenOnlyChannelRefusesPushes) {
  socket->onText(R"(["1","1","user_count:42","phx_join",{}])");
  socket->onText(R"(["1","2","user_count:42","hello",{}])");
  EXPECT_EQ(transport.lastJson(), errorReply("1", "2", "user_count:42", "unknown event"));
}

TEST_F(PhoenixSocketFrames, MalformedFrameClosesWithPolicyViolation) {
  socket->onText("not json");
  EXPECT_EQ(transport.closes, std::vector<CloseReason>{CloseReason::PolicyViolation});
  EXPECT_TRUE(transport.sent.empty());
}

TEST_F(PhoenixSocketFrames, V1FrameOnAV2SocketIsAViolation) {
  socket->onText(R"({"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"})");
  EXPECT_EQ(transport.closes, std::vector<CloseReason>{CloseReason::PolicyViolation});
}

TEST_F(PhoenixSocketFrames, BinaryFrameOnV1IsAViolation) {
  FakeTransport t;
  auto v1 = harness.makeSocket(t, phoenix::Version::V1);
  std::string push = std::string("\x00\x00\x01\x07\x04", 5) + "1" + "phoenix" + "ping";
  v1->onBinary(push);
  EXPECT_EQ(t.closes, std::vector<CloseReason>{CloseReason::PolicyViolation});
  EXPECT_TRUE(t.sent.empty());
}

TEST_F(PhoenixSocketFrames, MalformedBinaryFrameIsAViolation) {
  socket->onBinary(std::string("\x01\x00\x00\x00\x00", 5));
  EXPECT_EQ(transport.closes, std::vector<CloseReason>{CloseReason::PolicyViolation});
}

TEST_F(PhoenixSocketFrames, BinaryPingGetsABinaryReply) {
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  std::string payload("\x00\xff\x10", 3);
  std::string push = std::string("\x00\x01\x01\x0a\x04", 5) + "1" + "2" + "room:lobby" + "ping" + payload;
  socket->onBinary(push);
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_TRUE(transport.sent[1].binary);
  EXPECT_EQ(*transport.sent[1].frame, phoenix::encodeBinaryReply("1", "2", "room:lobby", "ok", payload));
}

TEST_F(PhoenixSocketFrames, UnknownControlEventIsAnError) {
  socket->onText(R"([null,"1","phoenix","auth",{"token":"x"}])");
  EXPECT_EQ(transport.lastJson(),
            json::parse(R"([null,"1","phoenix","phx_reply",{"status":"error","response":{"reason":"unknown event"}}])"));
}

// A control handler made of a lambda, for the tests below.
class LambdaControl final : public ControlHandler {
 public:
  using Fn = std::function<void(std::string_view, const json::value&, ControlReply)>;
  explicit LambdaControl(Fn fn) : fn_(std::move(fn)) {}
  void onControl(std::string_view event, const json::value& payload, ControlReply reply) override {
    fn_(event, payload, std::move(reply));
  }
  channels::Peer peer() const override { return {}; }

 private:
  Fn fn_;
};

TEST_F(PhoenixSocketFrames, ControlEventsGoToTheControlHandler) {
  std::string seen_event;
  json::value seen_payload;
  ControlReply answer;
  LambdaControl control([&](std::string_view event, const json::value& payload, ControlReply reply) {
    seen_event = std::string(event);
    seen_payload = payload;
    answer = std::move(reply);  // answered later, as after a store round trip
  });
  socket->setControlHandler(&control);
  socket->onText(R"([null,"9","phoenix","refresh_token",{"token":"t"}])");
  EXPECT_EQ(seen_event, "refresh_token");
  EXPECT_EQ(seen_payload, json::parse(R"({"token":"t"})"));
  EXPECT_TRUE(transport.sent.empty());
  answer(channels::Reply::okWith(json::object{{"refreshed", true}}));
  EXPECT_EQ(transport.lastJson(),
            json::parse(R"([null,"9","phoenix","phx_reply",{"status":"ok","response":{"refreshed":true}}])"));
}

// A response already serialized (a GraphQL result) goes out as it is, never re-serialized
// (a number keeps its spelling, an escape stays an escape).
TEST_F(PhoenixSocketFrames, AResponseGivenAsJsonTextIsSentAsItIs) {
  ControlReply answer;
  LambdaControl control([&](std::string_view, const json::value&, ControlReply reply) { answer = std::move(reply); });
  socket->setControlHandler(&control);
  socket->onText(R"([null,"9","phoenix","refresh_token",{}])");
  answer(channels::Reply::okWithJson(R"({"data":{"n":1.5e3,"s":"\u00e9"}})"));
  EXPECT_EQ(*transport.sent.back().frame,
            R"([null,"9","phoenix","phx_reply",{"status":"ok","response":{"data":{"n":1.5e3,"s":"\u00e9"}}}])");
}

TEST_F(PhoenixSocketFrames, ALateControlAnswerAfterTheSocketIsGoneIsDropped) {
  ControlReply answer;
  LambdaControl control([&](std::string_view, const json::value&, ControlReply reply) { answer = std::move(reply); });
  socket->setControlHandler(&control);
  socket->onText(R"([null,"9","phoenix","refresh_token",{"token":"t"}])");
  // The socket goes only with its connection: both end, then the answer comes.
  transport.alive.reset();
  socket.reset();
  answer(channels::Reply::okWith(json::object{}));  // must not touch the destroyed socket
  EXPECT_TRUE(transport.sent.empty());
}

TEST_F(PhoenixSocketFrames, AuthPendingServesOnlyTheControlTopic) {
  socket->setAuthPending(true);
  LambdaControl control([&](std::string_view event, const json::value&, ControlReply reply) {
    if (event == "auth") socket->setAuthPending(false);
    reply(channels::Reply::okWith(json::object{}));
  });
  socket->setControlHandler(&control);
  socket->onText(R"([null,"1","phoenix","heartbeat",{}])");
  EXPECT_TRUE(transport.closes.empty());
  socket->onText(R"([null,"2","phoenix","auth",{"token":"t"}])");
  EXPECT_FALSE(socket->authPending());
  socket->onText(R"(["3","3","room:lobby","phx_join",{}])");
  EXPECT_EQ(transport.lastJson(), okReply("3", "3", "room:lobby"));
  EXPECT_TRUE(transport.closes.empty());
}

TEST_F(PhoenixSocketFrames, JoinWhileAuthPendingClosesWithMissingCredentials) {
  socket->setAuthPending(true);
  socket->onText(R"(["1","1","room:lobby","phx_join",{}])");
  EXPECT_EQ(transport.closes, std::vector<CloseReason>{CloseReason::MissingCredentials});
  EXPECT_TRUE(transport.sent.empty());
  EXPECT_EQ(harness.subscribers("room:lobby"), 0u);
}

TEST_F(PhoenixSocketFrames, CountsMessages) {
  socket->onText(R"([null,"1","phoenix","heartbeat",{}])");
  socket->onText(R"([null,"2","phoenix","heartbeat",{}])");
  EXPECT_EQ(harness.metrics.messages_in.load(), 2u);
  EXPECT_EQ(harness.metrics.messages_out.load(), 2u);
}

}  // namespace
}  // namespace sg::protocol
