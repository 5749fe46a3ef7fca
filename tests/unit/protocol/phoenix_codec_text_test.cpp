// Decoding Phoenix text frames: V2 arrays and V1 objects.
#include "protocol/phoenix_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <string>
#include <vector>

namespace sg::phoenix {
namespace {
namespace json = boost::json;

Message mustDecode(Version v, std::string_view frame) {
  auto d = decodeText(v, frame);
  EXPECT_TRUE(d.has_value()) << frame << " -> " << (d ? "" : d.error().reason);
  return d ? std::move(*d) : Message{};
}

void expectRejected(Version v, std::string_view frame) {
  auto d = decodeText(v, frame);
  ASSERT_FALSE(d.has_value()) << frame;
  EXPECT_FALSE(d.error().reason.empty()) << frame;
}

// `depth` nested arrays: depth 1 is "[]".
std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

TEST(PhoenixCodec, DecodesV2Array) {
  auto m = mustDecode(Version::V2, R"(["1","2","room:lobby","phx_join",{"a":[1,2]}])");
  EXPECT_EQ(m.join_ref, "1");
  EXPECT_EQ(m.ref, "2");
  EXPECT_EQ(m.topic, "room:lobby");
  EXPECT_EQ(m.event, "phx_join");
  EXPECT_EQ(m.payload, json::parse(R"({"a":[1,2]})"));
  EXPECT_FALSE(m.binary_payload);
}

TEST(PhoenixCodec, DecodesV2NullRefs) {
  auto m = mustDecode(Version::V2, R"([null,null,"phoenix","heartbeat",{}])");
  EXPECT_FALSE(m.join_ref);
  EXPECT_FALSE(m.ref);
  EXPECT_EQ(m.topic, "phoenix");
}

TEST(PhoenixCodec, DecodesV2AnyPayloadType) {
  EXPECT_EQ(mustDecode(Version::V2, R"(["1","2","t","e","text"])").payload, "text");
  EXPECT_TRUE(mustDecode(Version::V2, R"(["1","2","t","e",null])").payload.is_null());
}

TEST(PhoenixCodec, AcceptsNumericRefs) {
  auto m = mustDecode(Version::V2, R"([7,12,"t","e",{}])");
  EXPECT_EQ(m.join_ref, "7");
  EXPECT_EQ(m.ref, "12");
  EXPECT_TRUE(m.join_ref_number);
  EXPECT_TRUE(m.ref_number);
  auto v1 = mustDecode(Version::V1, R"({"topic":"t","event":"e","payload":{},"ref":3})");
  EXPECT_EQ(v1.ref, "3");
  EXPECT_TRUE(v1.ref_number);
  auto text = mustDecode(Version::V2, R"(["7","12","t","e",{}])");
  EXPECT_FALSE(text.join_ref_number);
  EXPECT_FALSE(text.ref_number);
}

TEST(PhoenixCodec, RejectsOtherRefTypes) {
  expectRejected(Version::V2, R"([1.5,"1","t","e",{}])");
  expectRejected(Version::V2, R"(["1",true,"t","e",{}])");
  expectRejected(Version::V2, R"(["1",{},"t","e",{}])");
  expectRejected(Version::V2, R"([["1"],"1","t","e",{}])");
}

TEST(PhoenixCodec, RejectsNonJson) {
  auto d = decodeText(Version::V2, R"(["1","2","t","e",{})");
  EXPECT_FALSE(d.has_value());
  EXPECT_EQ(d.error().reason, "not JSON");
  expectRejected(Version::V2, "");
  expectRejected(Version::V2, "hello");
  expectRejected(Version::V1, "{topic: 1}");
  expectRejected(Version::V2, R"(["1","2","t","e",{}] trailing)");
}

TEST(PhoenixCodec, RejectsTooFewElements) {
  expectRejected(Version::V2, R"(["1","2","t","e"])");
  expectRejected(Version::V2, "[]");
}

// Phoenix's V2 serializer matches [join_ref, ref, topic, event, payload | _].
TEST(PhoenixCodec, IgnoresElementsPastTheFifth) {
  auto m = mustDecode(Version::V2, R"(["1","2","t","e",{"a":1},{},"more"])");
  EXPECT_EQ(m.ref, "2");
  EXPECT_EQ(m.payload, json::parse(R"({"a":1})"));
}

TEST(PhoenixCodec, V2RejectsObjectsAndScalars) {
  expectRejected(Version::V2, R"({"topic":"t","event":"e","payload":{},"ref":"1"})");
  expectRejected(Version::V2, "42");
  expectRejected(Version::V2, R"("text")");
}

TEST(PhoenixCodec, RejectsNonStringTopicOrEvent) {
  expectRejected(Version::V2, R"(["1","2",5,"e",{}])");
  expectRejected(Version::V2, R"(["1","2",null,"e",{}])");
  expectRejected(Version::V2, R"(["1","2","t",["e"],{}])");
}

TEST(PhoenixCodec, RejectsEmptyTopicOrEvent) {
  expectRejected(Version::V2, R"(["1","2","t","",{}])");
  expectRejected(Version::V2, R"(["1","2","","e",{}])");
}

TEST(PhoenixCodec, RefLengthLimit) {
  std::string ok(kMaxRefBytes, '1');
  std::string too_long(kMaxRefBytes + 1, '1');
  mustDecode(Version::V2, "[\"" + ok + "\",\"" + ok + "\",\"t\",\"e\",{}]");
  expectRejected(Version::V2, "[\"" + too_long + "\",\"1\",\"t\",\"e\",{}]");
  expectRejected(Version::V2, "[\"1\",\"" + too_long + "\",\"t\",\"e\",{}]");
}

TEST(PhoenixCodec, TopicAndEventLengthLimit) {
  std::string ok(kMaxNameBytes, 't');
  std::string too_long(kMaxNameBytes + 1, 't');
  EXPECT_EQ(mustDecode(Version::V2, "[\"1\",\"1\",\"" + ok + "\",\"e\",{}]").topic, ok);
  expectRejected(Version::V2, "[\"1\",\"1\",\"" + too_long + "\",\"e\",{}]");
  expectRejected(Version::V2, "[\"1\",\"1\",\"t\",\"" + too_long + "\",{}]");
}

TEST(PhoenixCodec, NestingUpTo32IsAccepted) {
  // The envelope array is one level; the payload may add 31 more.
  mustDecode(Version::V2, "[\"1\",\"1\",\"t\",\"e\"," + nested(31) + "]");
}

TEST(PhoenixCodec, NestingBeyond32IsRejected) {
  expectRejected(Version::V2, "[\"1\",\"1\",\"t\",\"e\"," + nested(32) + "]");
  expectRejected(Version::V2, "[\"1\",\"1\",\"t\",\"e\"," + nested(1000) + "]");
  expectRejected(Version::V1, R"({"topic":"t","event":"e","payload":)" + nested(1000) + "}");
}

// The usual frame is read without a tree for its envelope; a frame the short reading
// leaves (an escape in the topic sends this one there) goes through the full parse. Both
// must read every frame alike: the same message, or both a refusal.
TEST(PhoenixCodec, TheShortReadingAndTheFullParseReadEveryFrameAlike) {
  const std::vector<std::string> refs = {R"("1")", "null", R"("")", R"( "7" )", "12", R"("a\"b")", "1.5", "true",
                                         "\"" + std::string(64, 'r') + "\"", "\"" + std::string(65, 'r') + "\"",
                                         R"("é")", "\"\x01\"", R"("x)"};
  const std::vector<std::string> payloads = {
      "{}", " {} ", "{ }", "[]", "null", "1", "\"s\"", R"({"client":"web"})", R"({"a":[1,{"b":null}]})", "1e400",
      "{}, 5", "{},", "{} ]", "{", "", "}", "{}]", R"({"a":1,"a":2})", "\"\xff\"", "[1,2", nested(30), nested(31),
      nested(32), "{\"k\":" + nested(30) + "}", "{\"k\":" + nested(31) + "}", "\t{}\r\n"};
  auto same = [](const std::string& fast, const std::string& full) {
    auto a = decodeText(Version::V2, fast);
    auto b = decodeText(Version::V2, full);
    ASSERT_EQ(a.has_value(), b.has_value()) << fast << " / " << full;
    if (!a.has_value()) return;
    EXPECT_EQ(a->join_ref, b->join_ref) << fast;
    EXPECT_EQ(a->ref, b->ref) << fast;
    EXPECT_EQ(a->join_ref_number, b->join_ref_number) << fast;
    EXPECT_EQ(a->ref_number, b->ref_number) << fast;
    EXPECT_EQ(a->event, b->event) << fast;
    EXPECT_EQ(a->payload, b->payload) << fast;
    EXPECT_EQ(b->topic, "room:a");
  };
  for (const auto& payload : payloads) {
    for (const auto& ref : refs) {
      same("[" + ref + "," + ref + R"(,"room:a","phx_join",)" + payload + "]",
           "[" + ref + "," + ref + R"(,"room:\u0061","phx_join",)" + payload + "]");
    }
    same(R"( [ null , "2" , "room:a" , "e" , )" + payload + " ] ", R"( [ null , "2" , "room:\u0061" , "e" , )" + payload + " ] ");
    same(R"([null,"2","room:a","",)" + payload + "]", R"([null,"2","room:\u0061","",)" + payload + "]");
  }
  // Topic and event at their length limits, and past them.
  for (std::size_t n : {255u, 256u}) {
    std::string event(n, 'e');
    same(R"(["1","1","room:a",")" + event + R"(",{}])", R"(["1","1","room:\u0061",")" + event + R"(",{}])");
  }
  // Not an array, or cut short.
  for (std::string frame : {R"(["1","1","room:a","e"])", R"({"topic":"room:a"})", R"(["1","1","room:a","e",{})",
                            R"(["1","1","room:a","e",{}]])", R"(["1","1","room:a","e",{}] x)"}) {
    auto d = decodeText(Version::V2, frame);
    EXPECT_FALSE(d.has_value()) << frame;
  }
}

// Decoding into a Message the caller holds: what the short reading filled before it gave
// up (a join_ref, then an integer ref) does not leak into what the full parse reads.
TEST(PhoenixCodec, DecodesIntoTheCallersMessage) {
  Message m;
  EXPECT_TRUE(decodeText(Version::V2, R"(["1",5,"room:a","phx_join",{"k":[1]}])", m).has_value());
  EXPECT_EQ(m.join_ref, "1");
  EXPECT_FALSE(m.join_ref_number);
  EXPECT_EQ(m.ref, "5");
  EXPECT_TRUE(m.ref_number);
  EXPECT_EQ(m.topic, "room:a");
  EXPECT_EQ(m.payload, json::parse(R"({"k":[1]})"));

  Message refused;
  EXPECT_EQ(decodeText(Version::V2, R"(["1","2","t","e"])", refused).error().reason, "expected [join_ref, ref, topic, event, payload]");
  Message v1;
  EXPECT_TRUE(decodeText(Version::V1, R"({"topic":"t","event":"e","ref":"3"})", v1).has_value());
  EXPECT_EQ(v1.ref, "3");
  EXPECT_EQ(v1.payload, json::object{});
}

TEST(PhoenixCodec, DecodesV1Object) {
  auto m = mustDecode(Version::V1, R"({"topic":"room:1","event":"phx_join","payload":{"x":1},"ref":"5"})");
  EXPECT_EQ(m.topic, "room:1");
  EXPECT_EQ(m.event, "phx_join");
  EXPECT_EQ(m.ref, "5");
  EXPECT_FALSE(m.join_ref);
  EXPECT_EQ(m.payload, json::parse(R"({"x":1})"));
}

TEST(PhoenixCodec, DecodesV1WithJoinRefAndWithoutPayload) {
  auto m = mustDecode(Version::V1, R"({"join_ref":"1","ref":null,"topic":"t","event":"e"})");
  EXPECT_EQ(m.join_ref, "1");
  EXPECT_FALSE(m.ref);
  EXPECT_EQ(m.payload, json::object{});
}

TEST(PhoenixCodec, V1RejectsBadObjects) {
  expectRejected(Version::V1, R"(["1","2","t","e",{}])");
  expectRejected(Version::V1, R"({"event":"e","payload":{},"ref":"1"})");
  expectRejected(Version::V1, R"({"topic":"t","payload":{},"ref":"1"})");
  expectRejected(Version::V1, R"({"topic":1,"event":"e","payload":{},"ref":"1"})");
  expectRejected(Version::V1, R"({"topic":"t","event":"","payload":{},"ref":"1"})");
  expectRejected(Version::V1, R"({"topic":"t","event":"e","ref":1.25})");
}

TEST(PhoenixCodec, RejectsInvalidUtf8) {
  expectRejected(Version::V2, "[\"1\",\"1\",\"t\xff\",\"e\",{}]");
}

TEST(PhoenixCodec, ParseVsn) {
  EXPECT_EQ(parseVsn(std::nullopt), Version::V1);
  EXPECT_EQ(parseVsn("2.0.0"), Version::V2);
  EXPECT_EQ(parseVsn("1.0.0"), Version::V1);
  EXPECT_EQ(parseVsn("3.0.0"), std::nullopt);
  EXPECT_EQ(parseVsn(""), std::nullopt);
  EXPECT_EQ(parseVsn("2"), std::nullopt);
  // Phoenix's `~> 2.0.0` / `~> 1.0.0`: any patch of the same major.minor.
  EXPECT_EQ(parseVsn("2.0.1"), Version::V2);
  EXPECT_EQ(parseVsn("2.0.17"), Version::V2);
  EXPECT_EQ(parseVsn("1.0.3"), Version::V1);
  EXPECT_EQ(parseVsn("2.0.0+build.5"), Version::V2);
  EXPECT_EQ(parseVsn("2.1.0"), std::nullopt);
  EXPECT_EQ(parseVsn("1.1.0"), std::nullopt);
  EXPECT_EQ(parseVsn("2.0.1-rc.1"), std::nullopt);
  EXPECT_EQ(parseVsn("2.0"), std::nullopt);
  EXPECT_EQ(parseVsn("02.0.0"), std::nullopt);
  EXPECT_EQ(parseVsn("2.0.0+"), std::nullopt);
  EXPECT_EQ(parseVsn("2.0.x"), std::nullopt);
}

}  // namespace
}  // namespace sg::phoenix
