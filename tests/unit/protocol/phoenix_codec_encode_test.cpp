// Encoding Phoenix text frames: envelopes, replies, escaping.
#include "protocol/phoenix_codec.hpp"

#include "core/text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sg::phoenix {
namespace {
namespace json = boost::json;
using namespace std::string_view_literals;

TEST(PhoenixCodec, EncodesV2BroadcastWithNullRefs) {
  std::string out = encodeText(Version::V2, Envelope{std::nullopt, std::nullopt, "room:1", "msg"}, R"({"a":1})"sv);
  EXPECT_EQ(out, R"([null,null,"room:1","msg",{"a":1}])");
}

TEST(PhoenixCodec, EncodesV2Push) {
  std::string out = encodeText(Version::V2, Envelope{"3", std::nullopt, "room:1", "msg"}, json::value(json::object{}));
  EXPECT_EQ(out, R"(["3",null,"room:1","msg",{}])");
}

TEST(PhoenixCodec, EncodesV1Object) {
  std::string out = encodeText(Version::V1, Envelope{std::nullopt, "7", "room:1", "msg"}, R"({"a":1})"sv);
  EXPECT_EQ(json::parse(out),
            json::parse(R"({"topic":"room:1","event":"msg","payload":{"a":1},"ref":"7","join_ref":null})"));
}

TEST(PhoenixCodec, EscapesQuotesAndControlCharacters) {
  std::string topic = "a\"b\\c\nd\te\x01\x1f";
  std::string out = encodeText(Version::V2, Envelope{std::nullopt, std::nullopt, topic, "e"}, "{}"sv);
  EXPECT_EQ(out, R"([null,null,"a\"b\\c\nd\te\u0001\u001f","e",{}])");
  EXPECT_EQ(json::parse(out).as_array().at(2), json::value(topic));
}

TEST(PhoenixCodec, AppendJsonStringKeepsUtf8) {
  std::string out;
  appendJsonString(out, "caf\xC3\xA9");
  EXPECT_EQ(out, "\"caf\xC3\xA9\"");
}

TEST(PhoenixCodec, EncodesReplyShape) {
  std::string out =
      encodeReply(Version::V2, "1", "2", "room:1", "ok", json::value(json::object{{"n", 1}}));
  EXPECT_EQ(json::parse(out), json::parse(R"(["1","2","room:1","phx_reply",{"status":"ok","response":{"n":1}}])"));
}

TEST(PhoenixCodec, EncodesErrorReplyWithNullJoinRef) {
  std::string out = encodeReply(Version::V2, std::nullopt, "9", "t", "error",
                                json::value(json::object{{"reason", "unmatched topic"}}));
  EXPECT_EQ(out, R"([null,"9","t","phx_reply",{"status":"error","response":{"reason":"unmatched topic"}}])");
}

// Phoenix gives refs back with the JSON type they came in: numbers stay numbers.
TEST(PhoenixCodec, EncodesNumericRefsAsNumbers) {
  Envelope e{"7", "12", "t", "ignored"};
  e.join_ref_number = true;
  e.ref_number = true;
  EXPECT_EQ(encodeReply(Version::V2, e, "ok", json::value(json::object{})),
            R"([7,12,"t","phx_reply",{"status":"ok","response":{}}])");
  EXPECT_EQ(json::parse(encodeReply(Version::V1, e, "ok", json::value(json::object{}))),
            json::parse(R"({"topic":"t","event":"phx_reply","payload":{"status":"ok","response":{}},"ref":12,"join_ref":7})"));
}

TEST(PhoenixCodec, EncodesV1Reply) {
  std::string out = encodeReply(Version::V1, "1", "2", "t", "ok", json::value(json::object{}));
  EXPECT_EQ(json::parse(out), json::parse(R"({"topic":"t","event":"phx_reply",
      "payload":{"status":"ok","response":{}},"ref":"2","join_ref":"1"})"));
}

TEST(PhoenixCodec, V2TextRoundTrip) {
  json::value payload = json::parse(R"({"body":"h\u00e9\"llo","list":[1,null,true]})");
  std::string frame = encodeText(Version::V2, Envelope{"1", "2", "room:x", "new_msg"}, payload);
  auto d = decodeText(Version::V2, frame);
  ASSERT_TRUE(d.has_value()) << (d ? "" : d.error().reason);
  EXPECT_EQ(d->join_ref, "1");
  EXPECT_EQ(d->ref, "2");
  EXPECT_EQ(d->topic, "room:x");
  EXPECT_EQ(d->event, "new_msg");
  EXPECT_EQ(d->payload, payload);
}

TEST(PhoenixCodec, V1TextRoundTrip) {
  json::value payload = json::parse(R"({"k":"v"})");
  std::string frame = encodeText(Version::V1, Envelope{std::nullopt, std::nullopt, "t\"q", "e"}, payload);
  auto d = decodeText(Version::V1, frame);
  ASSERT_TRUE(d.has_value()) << (d ? "" : d.error().reason);
  EXPECT_FALSE(d->join_ref);
  EXPECT_FALSE(d->ref);
  EXPECT_EQ(d->topic, "t\"q");
  EXPECT_EQ(d->payload, payload);
}


// Frames are sized before they are written: every byte a field may hold, escaped or not,
// comes out as core/text's JSON escaping writes it, in every position, for both versions.
TEST(PhoenixCodec, EveryByteInEveryFieldIsWrittenAsAppendJsonStringWritesIt) {
  for (int b = 0; b < 256; ++b) {
    std::string field = "a";
    field.push_back(static_cast<char>(b));
    field += "z";
    std::string quoted;
    appendJsonString(quoted, field);
    Envelope e{field, field, field, field};
    EXPECT_EQ(encodeText(Version::V2, e, R"({"x":1})"sv),
              "[" + quoted + "," + quoted + "," + quoted + "," + quoted + R"(,{"x":1}])")
        << b;
    EXPECT_EQ(encodeText(Version::V1, e, "[]"sv), R"({"topic":)" + quoted + R"(,"event":)" + quoted +
                                                      R"(,"payload":[],"ref":)" + quoted + R"(,"join_ref":)" + quoted + "}")
        << b;
    EXPECT_EQ(encodeReply(Version::V2, e, field, "null"sv),
              "[" + quoted + "," + quoted + "," + quoted + R"(,"phx_reply",{"status":)" + quoted + R"(,"response":null}])")
        << b;
  }
}

TEST(PhoenixCodec, RepliesWriteTheirResponseAsBoostJsonSerializesIt) {
  Envelope e{"1", "2", "t", {}};
  for (const char* response : {R"({})", R"([])", R"({"reason":"unmatched topic"})", R"({"a":{},"b":[1,2.5,"x"]})",
                               R"("s")", R"(null)"}) {
    auto value = json::parse(response);
    EXPECT_EQ(encodeReply(Version::V2, e, "ok", value), encodeReply(Version::V2, e, "ok", std::string_view(json::serialize(value))))
        << response;
    EXPECT_EQ(encodeText(Version::V1, e, value), encodeText(Version::V1, e, std::string_view(json::serialize(value))))
        << response;
  }
  // Empty fields and long ones (past any small-string buffer).
  std::string long_topic(300, 't');
  EXPECT_EQ(encodeText(Version::V2, Envelope{"", std::nullopt, long_topic, ""}, "{}"sv),
            R"(["",null,")" + long_topic + R"(","",{}])");
}

}  // namespace
}  // namespace sg::phoenix
