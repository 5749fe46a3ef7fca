// The forms that travel through Redis between nodes: broadcasts, ticket claims and
// revocation announcements round-trip, and anything malformed is refused, never guessed.
#include "cluster/broadcast_wire.hpp"
#include "cluster/revocation_wire.hpp"
#include "cluster/ticket_wire.hpp"

#include <gtest/gtest.h>

namespace sg::cluster {
namespace {

TEST(BroadcastWire, RoundTripsTextAndBinary) {
  pubsub::Broadcast text("room:1", "new_msg", R"({"body":"hi"})", false);
  auto back = decodeBroadcast("room:1", encodeBroadcast(text));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->topic(), "room:1");
  EXPECT_EQ(back->event(), "new_msg");
  EXPECT_EQ(back->payload(), R"({"body":"hi"})");
  EXPECT_FALSE(back->binary());

  std::string bytes("\x00\x01\xff", 3);
  pubsub::Broadcast binary("t", "e", bytes, true);
  auto b = decodeBroadcast("t", encodeBroadcast(binary));
  ASSERT_TRUE(b);
  EXPECT_EQ(b->payload(), bytes);
  EXPECT_TRUE(b->binary());
}

TEST(BroadcastWire, RefusesMalformedMessages) {
  EXPECT_FALSE(decodeBroadcast("t", ""));
  EXPECT_FALSE(decodeBroadcast("t", std::string("\x02\x00\x00\x00\x00\x00", 6)));  // unknown version
  EXPECT_FALSE(decodeBroadcast("t", std::string("\x01\x04\x00\x00\x00\x00", 6)));  // unknown flag
  EXPECT_FALSE(decodeBroadcast("t", std::string("\x01\x00\x00\x00\x00\x09" "abc", 9)));  // event past the end
}

TEST(BroadcastWire, TopicChannels) {
  EXPECT_EQ(topicChannel("room:lobby"), "sg:topic:room:lobby");
  EXPECT_EQ(channelTopic("sg:topic:room:lobby"), "room:lobby");
  EXPECT_FALSE(channelTopic("sg:control"));
}

TEST(TicketWire, ClaimsRoundTripToTheMillisecond) {
  tickets::TicketClaims c;
  c.user_id = "42";
  c.session_id = "abc";
  c.client_ip = "10.0.0.1";
  c.origin = "https://app.example.com";
  c.issued_at = tickets::TimePoint(std::chrono::milliseconds(1'700'000'000'123));
  c.expires_at = c.issued_at + std::chrono::seconds(10);
  c.credential_expires_at = c.issued_at + std::chrono::hours(1);
  auto back = decodeClaims(encodeClaims(c));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->user_id, c.user_id);
  EXPECT_EQ(back->session_id, c.session_id);
  EXPECT_EQ(back->client_ip, c.client_ip);
  EXPECT_EQ(back->origin, c.origin);
  EXPECT_EQ(back->issued_at, c.issued_at);
  EXPECT_EQ(back->expires_at, c.expires_at);
  EXPECT_EQ(back->credential_expires_at, c.credential_expires_at);

  c.credential_expires_at.reset();
  EXPECT_FALSE(decodeClaims(encodeClaims(c))->credential_expires_at);
}

TEST(TicketWire, RefusesTruncatedOrPaddedValues) {
  tickets::TicketClaims c;
  c.user_id = "42";
  auto value = encodeClaims(c);
  for (std::size_t n = 0; n < value.size(); ++n) EXPECT_FALSE(decodeClaims(value.substr(0, n))) << n;
  EXPECT_FALSE(decodeClaims(value + "x"));
}

TEST(TicketWire, KeysAreHashesNeverTheSecret) {
  tickets::TicketHash h{};
  h[0] = 0xab;
  EXPECT_EQ(ticketKey(h).substr(0, 12), "sg:ticket:ab");
  EXPECT_EQ(ticketKey(h).size(), std::string("sg:ticket:").size() + 64);
  auto k = markerKey("my-jti");
  EXPECT_EQ(k.find("my-jti"), std::string::npos);
  EXPECT_EQ(k, markerKey("my-jti"));
  EXPECT_NE(k, markerKey("my-jti2"));
}

TEST(RevocationWire, SessionAndUserRoundTrip) {
  auto s = decodeRevocation(encodeRevocation({"7", "sess-ref"}));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->user_id, "7");
  EXPECT_EQ(s->session_ref, "sess-ref");
  auto u = decodeRevocation(encodeRevocation({"7", ""}));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->user_id, "7");
  EXPECT_TRUE(u->session_ref.empty());
}

TEST(RevocationWire, RefusesMalformed) {
  EXPECT_FALSE(decodeRevocation(""));
  EXPECT_FALSE(decodeRevocation(std::string("x\0\0\0\1a", 6)));           // unknown kind
  EXPECT_FALSE(decodeRevocation(std::string("u\0\0\0\0", 5)));            // no user
  EXPECT_FALSE(decodeRevocation(std::string("s\0\0\0\1a", 6)));           // session kind, no session
  EXPECT_FALSE(decodeRevocation(std::string("u\0\0\0\1ab", 7)));          // user kind with a session
  EXPECT_FALSE(decodeRevocation(std::string("u\0\0\0\x09" "a", 6)));      // length past the end
}

}  // namespace
}  // namespace sg::cluster
