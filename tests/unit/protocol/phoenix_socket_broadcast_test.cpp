// PhoenixSocket: broadcasts reach every joined socket, encoded once per wire format.
#include "protocol/socket_harness.hpp"

#include <gtest/gtest.h>

namespace sg::protocol {
namespace {

using test::FakeTransport;
using test::SocketHarness;
namespace json = boost::json;

pubsub::BroadcastPtr textBroadcast(std::string topic, std::string payload) {
  return std::make_shared<const pubsub::Broadcast>(std::move(topic), "msg", std::move(payload), false);
}

class PhoenixSocketBroadcast : public ::testing::Test {
 protected:
  void join(PhoenixSocket& s, std::string_view topic) {
    s.onText(R"(["1","1",")" + std::string(topic) + R"(","phx_join",{}])");
  }

  SocketHarness harness;
  FakeTransport ta, tb, tv1;
  std::unique_ptr<PhoenixSocket> a = harness.makeSocket(ta);
  std::unique_ptr<PhoenixSocket> b = harness.makeSocket(tb);
};

TEST_F(PhoenixSocketBroadcast, V2SocketsShareOneEncodedFrame) {
  join(*a, "room:lobby");
  join(*b, "room:lobby");
  harness.pubsub.publish(textBroadcast("room:lobby", R"({"a":1})"));
  ASSERT_EQ(ta.sent.size(), 2u);  // join reply + broadcast
  ASSERT_EQ(tb.sent.size(), 2u);
  EXPECT_EQ(*ta.sent[1].frame, R"([null,null,"room:lobby","msg",{"a":1}])");
  EXPECT_FALSE(ta.sent[1].binary);
  EXPECT_EQ(ta.sent[1].frame.get(), tb.sent[1].frame.get());
}

TEST_F(PhoenixSocketBroadcast, V1SocketGetsTheObjectForm) {
  auto v1 = harness.makeSocket(tv1, phoenix::Version::V1);
  v1->onText(R"({"topic":"room:lobby","event":"phx_join","payload":{},"ref":"1"})");
  join(*a, "room:lobby");
  harness.pubsub.publish(textBroadcast("room:lobby", R"({"a":1})"));
  ASSERT_EQ(tv1.sent.size(), 2u);
  EXPECT_EQ(tv1.json(1),
            json::parse(R"({"topic":"room:lobby","event":"msg","payload":{"a":1},"ref":null,"join_ref":null})"));
  ASSERT_EQ(ta.sent.size(), 2u);
  EXPECT_NE(tv1.sent[1].frame.get(), ta.sent[1].frame.get());
}

TEST_F(PhoenixSocketBroadcast, OnlyJoinedTopicsAreDelivered) {
  join(*a, "room:lobby");
  join(*b, "room:other");
  harness.pubsub.publish(textBroadcast("room:lobby", "{}"));
  EXPECT_EQ(ta.sent.size(), 2u);
  EXPECT_EQ(tb.sent.size(), 1u);
}

TEST_F(PhoenixSocketBroadcast, ChannelEventIsBroadcastToTheRoomSenderIncluded) {
  join(*a, "room:lobby");
  join(*b, "room:lobby");
  a->onText(R"(["1","2","room:lobby","new_msg",{"body":"hi"}])");
  // a: join reply, the broadcast, then the push's reply; b: join reply, the broadcast.
  ASSERT_EQ(ta.sent.size(), 3u);
  ASSERT_EQ(tb.sent.size(), 2u);
  EXPECT_EQ(tb.json(1), json::parse(R"([null,null,"room:lobby","new_msg",{"body":"hi"}])"));
  EXPECT_EQ(ta.sent[1].frame.get(), tb.sent[1].frame.get());
  EXPECT_EQ(ta.json(2), json::parse(R"(["1","2","room:lobby","phx_reply",{"status":"ok","response":{}}])"));
  EXPECT_EQ(harness.metrics.broadcasts.load(), 1u);
}

// V2 sockets share one binary frame (kind 2); V1 sockets, which have no binary frames,
// get the bytes as base64 in a text broadcast, also encoded once.
TEST_F(PhoenixSocketBroadcast, BinaryBroadcastGoesToV1AsBase64) {
  auto v1 = harness.makeSocket(tv1, phoenix::Version::V1);
  v1->onText(R"({"topic":"room:lobby","event":"phx_join","payload":{},"ref":"1"})");
  FakeTransport tv1b;
  auto v1b = harness.makeSocket(tv1b, phoenix::Version::V1);
  v1b->onText(R"({"topic":"room:lobby","event":"phx_join","payload":{},"ref":"1"})");
  join(*a, "room:lobby");
  join(*b, "room:lobby");
  std::string bytes("\x00\x01\xff", 3);
  harness.pubsub.publish(std::make_shared<const pubsub::Broadcast>("room:lobby", "blob", bytes, true));
  ASSERT_EQ(tv1.sent.size(), 2u);
  EXPECT_FALSE(tv1.sent[1].binary);
  EXPECT_EQ(tv1.json(1), json::parse(
      R"({"topic":"room:lobby","event":"blob","payload":{"payload_base64":"AAH/"},"ref":null,"join_ref":null})"));
  ASSERT_EQ(tv1b.sent.size(), 2u);
  EXPECT_EQ(tv1.sent[1].frame.get(), tv1b.sent[1].frame.get());  // encoded once for every V1 socket
  ASSERT_EQ(ta.sent.size(), 2u);
  EXPECT_TRUE(ta.sent[1].binary);
  EXPECT_EQ(*ta.sent[1].frame, phoenix::encodeBinaryBroadcast("room:lobby", "blob", bytes));
  EXPECT_EQ(ta.sent[1].frame.get(), tb.sent[1].frame.get());
}

TEST_F(PhoenixSocketBroadcast, LeftSocketNoLongerReceives) {
  join(*a, "room:lobby");
  join(*b, "room:lobby");
  b->onText(R"(["1","2","room:lobby","phx_leave",{}])");
  std::size_t before = tb.sent.size();
  harness.pubsub.publish(textBroadcast("room:lobby", "{}"));
  EXPECT_EQ(tb.sent.size(), before);
  EXPECT_EQ(ta.sent.size(), 2u);
}

}  // namespace
}  // namespace sg::protocol
