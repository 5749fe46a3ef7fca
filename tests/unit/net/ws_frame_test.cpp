// RFC 6455 framing: client frames parsed (masking, fragments, control frames, limits,
// byte-at-a-time arrival) and server frame headers.
#include "net/ws_frame.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sg::net::ws {
namespace {

struct Event {
  std::string kind;  // "text", "binary", "ping", "close"
  std::string payload;
  std::optional<std::uint16_t> code;
  bool operator==(const Event&) const = default;
};

class Recorder : public FrameSink {
 public:
  void onMessage(bool binary, std::string_view payload) override {
    events.push_back({binary ? "binary" : "text", std::string(payload), {}});
  }
  void onPing(std::string_view payload) override { events.push_back({"ping", std::string(payload), {}}); }
  void onPeerClose(std::optional<std::uint16_t> code) override { events.push_back({"close", "", code}); }
  std::vector<Event> events;
};

// A client frame as a browser would send it: masked with `key`.
std::string clientFrame(std::uint8_t first_byte, std::string_view payload, std::uint32_t key = 0x37fa213d) {
  std::string f;
  f.push_back(static_cast<char>(first_byte));
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(0x80 | payload.size()));
  } else if (payload.size() <= 0xFFFF) {
    f.push_back(static_cast<char>(0x80 | 126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xFF));
  } else {
    f.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) f.push_back(static_cast<char>((static_cast<std::uint64_t>(payload.size()) >> (8 * i)) & 0xFF));
  }
  char mask[4] = {static_cast<char>(key >> 24), static_cast<char>(key >> 16), static_cast<char>(key >> 8),
                  static_cast<char>(key)};
  f.append(mask, 4);
  for (std::size_t i = 0; i < payload.size(); ++i) f.push_back(static_cast<char>(payload[i] ^ mask[i & 3]));
  return f;
}

constexpr std::uint8_t kFinText = 0x81, kFinBinary = 0x82, kText = 0x01, kCont = 0x00, kFinCont = 0x80,
                       kPing = 0x89, kPong = 0x8A, kClose = 0x88;

FrameError feedAll(FrameParser& parser, std::string bytes, Recorder& sink) {
  return parser.feed(bytes.data(), bytes.size(), sink);
}

TEST(WsFrameParser, UnmasksTextAndBinaryMessages) {
  FrameParser parser(1 << 20);
  Recorder sink;
  std::string long_text(70000, 'x');  // 64-bit length
  std::string medium(300, 'y');        // 16-bit length
  auto bytes = clientFrame(kFinText, "hello") + clientFrame(kFinBinary, std::string("\x00\x01\xff", 3)) +
               clientFrame(kFinText, medium) + clientFrame(kFinText, long_text);
  EXPECT_EQ(feedAll(parser, bytes, sink), FrameError::None);
  ASSERT_EQ(sink.events.size(), 4u);
  EXPECT_EQ(sink.events[0], (Event{"text", "hello", {}}));
  EXPECT_EQ(sink.events[1], (Event{"binary", std::string("\x00\x01\xff", 3), {}}));
  EXPECT_EQ(sink.events[2].payload, medium);
  EXPECT_EQ(sink.events[3].payload, long_text);
}

TEST(WsFrameParser, FramesSplitAtEveryByteArriveWhole) {
  auto bytes = clientFrame(kFinText, "split me") + clientFrame(kPing, "p") + clientFrame(kFinText, std::string(200, 'z'));
  FrameParser parser(1 << 20);
  Recorder sink;
  for (char c : bytes) ASSERT_EQ(parser.feed(&c, 1, sink), FrameError::None);
  ASSERT_EQ(sink.events.size(), 3u);
  EXPECT_EQ(sink.events[0].payload, "split me");
  EXPECT_EQ(sink.events[1], (Event{"ping", "p", {}}));
  EXPECT_EQ(sink.events[2].payload, std::string(200, 'z'));
}

TEST(WsFrameParser, AssemblesFragmentsAroundControlFrames) {
  FrameParser parser(1 << 20);
  Recorder sink;
  auto bytes = clientFrame(kText, "frag") + clientFrame(kPing, "mid") + clientFrame(kCont, "men") +
               clientFrame(kFinCont, "ted");
  EXPECT_EQ(feedAll(parser, bytes, sink), FrameError::None);
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[0], (Event{"ping", "mid", {}}));
  EXPECT_EQ(sink.events[1], (Event{"text", "fragmented", {}}));
}

TEST(WsFrameParser, PongIsIgnored) {
  FrameParser parser(100);
  Recorder sink;
  EXPECT_EQ(feedAll(parser, clientFrame(kPong, "x") + clientFrame(kFinText, "after"), sink), FrameError::None);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].payload, "after");
}

TEST(WsFrameParser, CloseReportsTheCodeAndStopsParsing) {
  FrameParser parser(100);
  Recorder sink;
  std::string close_payload("\x03\xe8" "bye", 5);  // 1000
  EXPECT_EQ(feedAll(parser, clientFrame(kClose, close_payload) + clientFrame(kFinText, "ignored"), sink),
            FrameError::None);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0], (Event{"close", "", 1000}));
  EXPECT_TRUE(parser.stopped());
  EXPECT_EQ(feedAll(parser, clientFrame(kFinText, "later"), sink), FrameError::None);
  EXPECT_EQ(sink.events.size(), 1u);
}

TEST(WsFrameParser, EmptyCloseHasNoCode) {
  FrameParser parser(100);
  Recorder sink;
  EXPECT_EQ(feedAll(parser, clientFrame(kClose, ""), sink), FrameError::None);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_FALSE(sink.events[0].code.has_value());
}

TEST(WsFrameParser, RefusesProtocolViolations) {
  auto unmasked = clientFrame(kFinText, "hi");
  unmasked[1] = static_cast<char>(unmasked[1] & 0x7F);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"unmasked frame", unmasked},
      {"reserved bit (compression not negotiated)", clientFrame(0xC1, "hi")},
      {"reserved opcode 3", clientFrame(0x83, "hi")},
      {"reserved control opcode 0xB", clientFrame(0x8B, "hi")},
      {"continuation without a start", clientFrame(kFinCont, "hi")},
      {"new message inside a fragmented one", clientFrame(kText, "a") + clientFrame(kFinText, "b")},
      {"fragmented ping", clientFrame(0x09, "p")},
      {"ping over 125 bytes", clientFrame(kPing, std::string(126, 'p'))},
      {"close with a 1-byte payload", clientFrame(kClose, "x")},
      {"close with code 1005 (reserved)", clientFrame(kClose, std::string("\x03\xed", 2))},
      {"close with code 999", clientFrame(kClose, std::string("\x03\xe7", 2))},
      {"close with code 5000", clientFrame(kClose, std::string("\x13\x88", 2))},
  };
  for (const auto& [name, bytes] : cases) {
    FrameParser parser(1000);
    Recorder sink;
    EXPECT_EQ(feedAll(parser, bytes, sink), FrameError::Protocol) << name;
    EXPECT_TRUE(parser.stopped()) << name;
    for (const auto& e : sink.events) EXPECT_NE(e.kind, "text") << name << ": nothing after the violation";
  }
}

TEST(WsFrameParser, SixtyFourBitLengthWithTopBitSetIsAViolation) {
  std::string f = {static_cast<char>(kFinBinary), static_cast<char>(0x80 | 127)};
  f.append("\x80\x00\x00\x00\x00\x00\x00\x01", 8);
  f.append("abcd", 4);
  FrameParser parser(1 << 20);
  Recorder sink;
  EXPECT_EQ(feedAll(parser, f, sink), FrameError::Protocol);
}

TEST(WsFrameParser, OversizedMessageRefusedFromItsHeaderAlone) {
  FrameParser parser(1000);
  Recorder sink;
  auto frame = clientFrame(kFinText, std::string(1001, 'a'));
  // Only the header has arrived: the refusal must not wait for (or buffer) the payload.
  EXPECT_EQ(parser.feed(frame.data(), 8, sink), FrameError::TooBig);
  EXPECT_EQ(parser.bufferedBytes(), 0u);
}

TEST(WsFrameParser, FragmentsCountTowardsTheLimitTogether) {
  FrameParser parser(10);
  Recorder sink;
  EXPECT_EQ(feedAll(parser, clientFrame(kText, "123456") + clientFrame(kFinCont, "78901"), sink), FrameError::TooBig);
  EXPECT_TRUE(sink.events.empty());
}

TEST(WsFrameParser, LimitCanGrowAfterAuthentication) {
  FrameParser parser(10);
  Recorder sink;
  parser.setMaxMessageBytes(100);
  EXPECT_EQ(feedAll(parser, clientFrame(kFinText, std::string(50, 'a')), sink), FrameError::None);
  EXPECT_EQ(sink.events.size(), 1u);
}

TEST(WsFrameParser, TextMustBeUtf8BinaryNeedNot) {
  {
    FrameParser parser(100);
    Recorder sink;
    EXPECT_EQ(feedAll(parser, clientFrame(kFinText, "\xC3\x28"), sink), FrameError::InvalidUtf8);
    EXPECT_TRUE(sink.events.empty());
  }
  {
    FrameParser parser(100);
    Recorder sink;
    EXPECT_EQ(feedAll(parser, clientFrame(kFinBinary, "\xC3\x28"), sink), FrameError::None);
  }
  {
    // A code point split across fragments is fine: validity is of the whole message.
    FrameParser parser(100);
    Recorder sink;
    EXPECT_EQ(feedAll(parser, clientFrame(kText, "caf\xC3") + clientFrame(kFinCont, "\xA9"), sink), FrameError::None);
    ASSERT_EQ(sink.events.size(), 1u);
    EXPECT_EQ(sink.events[0].payload, "caf\xC3\xA9");
  }
  {
    FrameParser parser(100);
    Recorder sink;
    EXPECT_EQ(feedAll(parser, clientFrame(kClose, std::string("\x03\xe8\xff", 3)), sink), FrameError::InvalidUtf8);
  }
}

TEST(WsFrameParser, GivesBufferMemoryBackAfterALargeFrame) {
  FrameParser parser(1 << 20);
  Recorder sink;
  auto big = clientFrame(kFinText, std::string(100000, 'q'));
  std::size_t half = big.size() / 2;
  ASSERT_EQ(parser.feed(big.data(), half, sink), FrameError::None);
  EXPECT_GT(parser.bufferedBytes(), 0u);
  ASSERT_EQ(parser.feed(big.data() + half, big.size() - half, sink), FrameError::None);
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(parser.bufferedBytes(), 0u);
}

// Buffers exist only while something waits: a message in fragments, each fragment split
// across reads, holds them until its last byte, and not after.
TEST(WsFrameParser, HoldsBuffersOnlyWhileAFrameOrMessageWaits) {
  FrameParser parser(1 << 20);
  Recorder sink;
  auto first = clientFrame(kText, "frag");
  auto rest = clientFrame(kPing, "mid") + clientFrame(kCont, "men") + clientFrame(kFinCont, "ted");
  ASSERT_EQ(feedAll(parser, first, sink), FrameError::None);
  EXPECT_GT(parser.bufferedBytes(), 0u) << "the first fragment waits for the rest";
  for (char c : rest) ASSERT_EQ(parser.feed(&c, 1, sink), FrameError::None);
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[1], (Event{"text", "fragmented", {}}));
  EXPECT_EQ(parser.bufferedBytes(), 0u);

  // A message whose first fragment is empty still assembles after the buffers went.
  ASSERT_EQ(feedAll(parser, clientFrame(kText, ""), sink), FrameError::None);
  ASSERT_EQ(feedAll(parser, clientFrame(kFinCont, "late"), sink), FrameError::None);
  ASSERT_EQ(sink.events.size(), 3u);
  EXPECT_EQ(sink.events[2], (Event{"text", "late", {}}));
  EXPECT_EQ(parser.bufferedBytes(), 0u);
}

TEST(WsFrameHeader, EncodesTheThreeLengthForms) {
  FrameHeader small(Opcode::Text, 5);
  ASSERT_EQ(small.size(), 2u);
  EXPECT_EQ(small.data()[0], 0x81);
  EXPECT_EQ(small.data()[1], 5);

  FrameHeader medium(Opcode::Binary, 300);
  ASSERT_EQ(medium.size(), 4u);
  EXPECT_EQ(medium.data()[0], 0x82);
  EXPECT_EQ(medium.data()[1], 126);
  EXPECT_EQ(medium.data()[2], 0x01);
  EXPECT_EQ(medium.data()[3], 0x2C);

  FrameHeader large(Opcode::Text, 70000);
  ASSERT_EQ(large.size(), 10u);
  EXPECT_EQ(large.data()[1], 127);
  EXPECT_EQ(large.data()[7], 0x01);
  EXPECT_EQ(large.data()[8], 0x11);
  EXPECT_EQ(large.data()[9], 0x70);

  EXPECT_EQ(FrameHeader::sizeFor(125), 2u);
  EXPECT_EQ(FrameHeader::sizeFor(126), 4u);
  EXPECT_EQ(FrameHeader::sizeFor(65535), 4u);
  EXPECT_EQ(FrameHeader::sizeFor(65536), 10u);
}

TEST(WsCloseFrame, PayloadIsCodeThenReasonCappedForAControlFrame) {
  auto p = closePayload(4401, "token_invalid");
  ASSERT_GE(p.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(p[0]), 4401 >> 8);
  EXPECT_EQ(static_cast<unsigned char>(p[1]), 4401 & 0xFF);
  EXPECT_EQ(p.substr(2), "token_invalid");
  EXPECT_EQ(closePayload(1000, std::string(500, 'r')).size(), 125u);
}

}  // namespace
}  // namespace sg::net::ws
