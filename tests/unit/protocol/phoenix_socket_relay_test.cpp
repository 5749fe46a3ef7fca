// PhoenixSocket: relays a channel starts with its reply (channels::Relay): broadcasts on a
// source topic reach the socket as the handler's messages on a topic it has not joined,
// until stopped, left, or the socket ends.
#include "protocol/socket_harness.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sg::protocol {
namespace {

using test::FakeTransport;
using test::SocketHarness;
namespace json = boost::json;

// "relay:*": `watch` {id, source} relays `source` to topic `id` as event `relayed`, the
// message made once per broadcast for every socket (as a GraphQL feed would); `watch_later`
// does the same with a reply sent later; `stop` {id} stops it. A payload {"drop": true}
// on the source is relayed as nothing.
class RelayChannel final : public channels::ChannelHandler {
 public:
  channels::Reply onEvent(channels::ChannelContext& ctx, const channels::InboundEvent& in) override {
    const auto& p = in.payload.as_object();
    std::string id(p.at("id").as_string());
    if (in.event == "stop") return channels::Reply::okWith(json::object{{"stopped", ctx.stopRelay(id)}});
    channels::Reply reply = channels::Reply::okWith(json::object{{"id", id}});
    reply.relay = std::make_shared<const channels::Relay>(channels::Relay{
        id, std::string(p.at("source").as_string()),
        [this, id](const pubsub::BroadcastPtr& message, std::size_t) -> pubsub::BroadcastPtr {
          if (message->payload() == R"({"drop":true})") return nullptr;
          auto& made = made_[{message.get(), id}];
          if (!made) made = std::make_shared<const pubsub::Broadcast>(id, "relayed", message->payload(), false);
          return made;
        }});
    if (in.event == "watch") return reply;
    auto pending = ctx.deferReply();
    ctx.poster()([pending, reply]() mutable { pending.send(reply); });
    return channels::Reply::later();
  }

 private:
  std::map<std::pair<const pubsub::Broadcast*, std::string>, pubsub::BroadcastPtr> made_;
};

class PhoenixSocketRelay : public ::testing::Test {
 protected:
  PhoenixSocketRelay() { harness.registry.add("relay:*", channels::anyone(), std::make_shared<RelayChannel>()); }

  static void join(PhoenixSocket& s, std::string_view join_ref = "1") {
    s.onText(R"([")" + std::string(join_ref) + R"(",")" + std::string(join_ref) + R"(","relay:x","phx_join",{}])");
  }
  static void push(PhoenixSocket& s, std::string_view event, std::string_view payload, std::string_view ref,
                   std::string_view join_ref = "1") {
    s.onText(R"([")" + std::string(join_ref) + R"(",")" + std::string(ref) + R"(","relay:x",")" + std::string(event) +
             R"(",)" + std::string(payload) + "]");
  }
  void publish(std::string topic, std::string payload) {
    ASSERT_TRUE(harness.pubsub.publish(
        std::make_shared<const pubsub::Broadcast>(std::move(topic), "tick", std::move(payload), false)));
  }

  SocketHarness harness;
  FakeTransport ta, tb;
  std::unique_ptr<PhoenixSocket> a = harness.makeSocket(ta, phoenix::Version::V2, test::userIdentity("42"), 2);
  std::unique_ptr<PhoenixSocket> b = harness.makeSocket(tb);
};

TEST_F(PhoenixSocketRelay, BroadcastsArriveOnTheRelaysTopicOneFrameForAllSockets) {
  join(*a);
  join(*b);
  push(*a, "watch", R"({"id":"doc:1","source":"feed"})", "2");
  push(*b, "watch", R"({"id":"doc:1","source":"feed"})", "2");
  EXPECT_EQ(ta.lastJson(), test::okReply("1", "2", "relay:x", R"({"id":"doc:1"})"));
  EXPECT_EQ(harness.subscribers("feed"), 2u);
  publish("feed", R"({"n":1})");
  ASSERT_EQ(ta.sent.size(), 3u);
  ASSERT_EQ(tb.sent.size(), 3u);
  EXPECT_EQ(*ta.sent[2].frame, R"([null,null,"doc:1","relayed",{"n":1}])");
  EXPECT_EQ(ta.sent[2].frame.get(), tb.sent[2].frame.get());
}

TEST_F(PhoenixSocketRelay, V1SocketsGetTheObjectForm) {
  FakeTransport tv1;
  auto v1 = harness.makeSocket(tv1, phoenix::Version::V1);
  v1->onText(R"({"topic":"relay:x","event":"phx_join","payload":{},"ref":"1"})");
  v1->onText(R"({"topic":"relay:x","event":"watch","payload":{"id":"doc:1","source":"feed"},"ref":"2"})");
  publish("feed", R"({"n":1})");
  EXPECT_EQ(tv1.lastJson(),
            json::parse(R"({"topic":"doc:1","event":"relayed","payload":{"n":1},"ref":null,"join_ref":null})"));
}

TEST_F(PhoenixSocketRelay, ANullMessageSendsNothing) {
  join(*a);
  push(*a, "watch", R"({"id":"doc:1","source":"feed"})", "2");
  publish("feed", R"({"drop":true})");
  EXPECT_EQ(ta.sent.size(), 2u);
}

TEST_F(PhoenixSocketRelay, StopRelayEndsDelivery) {
  join(*a);
  push(*a, "watch", R"({"id":"doc:1","source":"feed"})", "2");
  push(*a, "stop", R"({"id":"doc:1"})", "3");
  EXPECT_EQ(ta.lastJson(), test::okReply("1", "3", "relay:x", R"({"stopped":true})"));
  push(*a, "stop", R"({"id":"doc:1"})", "4");
  EXPECT_EQ(ta.lastJson(), test::okReply("1", "4", "relay:x", R"({"stopped":false})"));
  EXPECT_EQ(harness.subscribers("feed"), 0u);
  publish("feed", "{}");
  EXPECT_EQ(ta.sent.size(), 4u);
}

TEST_F(PhoenixSocketRelay, LeavingOrRejoiningEndsTheJoinsRelays) {
  join(*a);
  push(*a, "watch", R"({"id":"doc:1","source":"feed"})", "2");
  a->onText(R"(["1","3","relay:x","phx_leave",{}])");
  EXPECT_EQ(harness.subscribers("feed"), 0u);
  join(*a, "4");
  push(*a, "watch", R"({"id":"doc:1","source":"feed"})", "5", "4");
  EXPECT_EQ(harness.subscribers("feed"), 1u);
  join(*a, "6");  // a second join of the topic replaces the first, and its relays
  EXPECT_EQ(harness.subscribers("feed"), 0u);
}

TEST_F(PhoenixSocketRelay, TheSocketsEndEndsItsRelays) {
  join(*a);
  push(*a, "watch", R"({"id":"doc:1","source":"feed"})", "2");
  a->leaveAll();
  EXPECT_EQ(harness.subscribers("feed"), 0u);
  join(*b);
  push(*b, "watch", R"({"id":"doc:1","source":"feed"})", "2");
  b.reset();
  EXPECT_EQ(harness.subscribers("feed"), 0u);
}

TEST_F(PhoenixSocketRelay, AtMostMaxTopicsRelaysAndTheSameIdIsTheRunningOne) {
  join(*a);  // max_topics = 2
  push(*a, "watch", R"({"id":"doc:1","source":"feed"})", "2");
  push(*a, "watch", R"({"id":"doc:2","source":"feed"})", "3");
  push(*a, "watch", R"({"id":"doc:1","source":"other"})", "4");
  EXPECT_EQ(ta.lastJson(), test::okReply("1", "4", "relay:x", R"({"id":"doc:1"})"));
  EXPECT_EQ(harness.subscribers("other"), 0u);
  push(*a, "watch", R"({"id":"doc:3","source":"feed"})", "5");
  EXPECT_EQ(ta.lastJson(), test::errorReply("1", "5", "relay:x", "too many subscriptions"));
  EXPECT_EQ(harness.subscribers("feed"), 2u);
}

TEST_F(PhoenixSocketRelay, ALaterReplyStartsItsRelayOnlyIfItsJoinHolds) {
  join(*a);
  push(*a, "watch_later", R"({"id":"doc:1","source":"feed"})", "2");
  push(*a, "watch_later", R"({"id":"doc:2","source":"other"})", "3");
  ta.runPosted();  // the handler's work ends: its reply is posted to the shard
  ta.runPosted();
  EXPECT_EQ(harness.subscribers("feed"), 1u);
  EXPECT_EQ(ta.lastJson(), test::okReply("1", "3", "relay:x", R"({"id":"doc:2"})"));

  push(*a, "watch_later", R"({"id":"doc:3","source":"late"})", "4");
  a->onText(R"(["1","5","relay:x","phx_leave",{}])");
  ta.runPosted();
  ta.runPosted();
  EXPECT_EQ(harness.subscribers("late"), 0u);
  EXPECT_EQ(harness.subscribers("feed"), 0u);
}

}  // namespace
}  // namespace sg::protocol
