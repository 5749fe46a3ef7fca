// Phoenix V2 binary frames, byte for byte as the client's serializer.js lays them out.
#include "protocol/phoenix_codec.hpp"

#include <gtest/gtest.h>

namespace sg::phoenix {
namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// A client push: kind 0, four one-byte lengths, the fields, then the payload.
std::string clientPush(std::string_view join_ref, std::string_view ref, std::string_view topic,
                       std::string_view event, std::string_view payload) {
  std::string out = bytes({0, static_cast<int>(join_ref.size()), static_cast<int>(ref.size()),
                           static_cast<int>(topic.size()), static_cast<int>(event.size())});
  out.append(join_ref).append(ref).append(topic).append(event).append(payload);
  return out;
}

TEST(PhoenixBinary, DecodesClientPush) {
  std::string payload("\x00\x01\xfe\xff", 4);
  auto d = decodeBinary(clientPush("12", "345", "room:lobby", "upload", payload));
  ASSERT_TRUE(d.has_value()) << (d ? "" : d.error().reason);
  EXPECT_EQ(d->join_ref, "12");
  EXPECT_EQ(d->ref, "345");
  EXPECT_EQ(d->topic, "room:lobby");
  EXPECT_EQ(d->event, "upload");
  EXPECT_EQ(d->binary_payload, payload);
}

TEST(PhoenixBinary, DecodesEmptyPayloadAndRefs) {
  auto d = decodeBinary(clientPush("", "", "t", "e", ""));
  ASSERT_TRUE(d.has_value()) << (d ? "" : d.error().reason);
  EXPECT_EQ(d->join_ref, "");
  EXPECT_EQ(d->binary_payload, "");
}

TEST(PhoenixBinary, RejectsTruncatedFrames) {
  std::string frame = clientPush("1", "2", "room:lobby", "e", "");
  EXPECT_FALSE(decodeBinary("").has_value());
  EXPECT_FALSE(decodeBinary(frame.substr(0, 4)).has_value());
  // Header promises more field bytes than the frame holds.
  for (std::size_t n = 5; n < frame.size(); ++n) EXPECT_FALSE(decodeBinary(frame.substr(0, n)).has_value()) << n;
  EXPECT_TRUE(decodeBinary(frame).has_value());
}

TEST(PhoenixBinary, RejectsOtherKinds) {
  for (int kind : {1, 2, 3, 255}) {
    std::string frame = clientPush("1", "2", "t", "e", "x");
    frame[0] = static_cast<char>(kind);
    auto d = decodeBinary(frame);
    ASSERT_FALSE(d.has_value()) << kind;
    EXPECT_EQ(d.error().reason, "binary frame is not a push");
  }
}

TEST(PhoenixBinary, RejectsEmptyTopicOrEvent) {
  EXPECT_FALSE(decodeBinary(clientPush("1", "2", "", "e", "x")).has_value());
  EXPECT_FALSE(decodeBinary(clientPush("1", "2", "t", "", "x")).has_value());
}

TEST(PhoenixBinary, RejectsOverlongRefs) {
  std::string long_ref(kMaxRefBytes + 1, '7');
  EXPECT_FALSE(decodeBinary(clientPush(long_ref, "1", "t", "e", "")).has_value());
  EXPECT_FALSE(decodeBinary(clientPush("1", long_ref, "t", "e", "")).has_value());
  EXPECT_TRUE(decodeBinary(clientPush(std::string(kMaxRefBytes, '7'), "1", "t", "e", "")).has_value());
}

TEST(PhoenixBinary, EncodesPushWithoutRef) {
  // serializer.js decodePush: kind 0, join_ref/topic/event lengths, no ref.
  EXPECT_EQ(encodeBinaryPush("1", "ab", "evt", "P"), bytes({0, 1, 2, 3}) + "1" + "ab" + "evt" + "P");
}

TEST(PhoenixBinary, EncodesReply) {
  // decodeReply: kind 1, join_ref/ref/topic/status lengths, then the response bytes.
  EXPECT_EQ(encodeBinaryReply("12", "3", "room", "ok", std::string("\x00\xff", 2)),
            bytes({1, 2, 1, 4, 2}) + "12" + "3" + "room" + "ok" + std::string("\x00\xff", 2));
}

TEST(PhoenixBinary, EncodesBroadcast) {
  // decodeBroadcast: kind 2, topic/event lengths.
  EXPECT_EQ(encodeBinaryBroadcast("room:1", "blob", "xyz"), bytes({2, 6, 4}) + "room:1" + "blob" + "xyz");
}

TEST(PhoenixBinary, MaximumFieldLengthFitsOneByte) {
  std::string topic(kMaxNameBytes, 't');
  std::string frame = encodeBinaryBroadcast(topic, "e", "");
  EXPECT_EQ(static_cast<unsigned char>(frame[1]), 255);
  EXPECT_EQ(frame.size(), 3 + kMaxNameBytes + 1);
}

}  // namespace
}  // namespace sg::phoenix
