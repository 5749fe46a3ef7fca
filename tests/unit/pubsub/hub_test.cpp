// The Hub (on the in-process broker) over two shards whose tasks are queued and run by hand, so the tests see
// exactly which shard got a task and when a subscriber is called.
#include "pubsub/hub.hpp"
#include "pubsub/queued_shards.hpp"
#include "pubsub/in_process_broker.hpp"

#include "pubsub/recording_subscriber.hpp"

#include <gtest/gtest.h>

namespace sg::pubsub {
namespace {

using test::RecordingSubscriber;

using test::QueuedShards;


BroadcastPtr makeBroadcast(std::string topic, std::string payload = "{}") {
  return std::make_shared<const Broadcast>(std::move(topic), "msg", std::move(payload), false);
}

class HubTest : public ::testing::Test {
 protected:
  QueuedShards shards{2};
  InProcessBroker broker;
  Hub pubsub{shards.posts(), broker};
};

TEST_F(HubTest, FansOutOneTaskPerShardToEverySubscriber) {
  RecordingSubscriber a, b, c;
  pubsub.subscribe(0, "room:1", &a);
  pubsub.subscribe(0, "room:1", &b);
  pubsub.subscribe(1, "room:1", &c);
  auto message = makeBroadcast("room:1");
  pubsub.publish(message);
  EXPECT_EQ(shards.pending(0), 1u);
  EXPECT_EQ(shards.pending(1), 1u);
  // Delivery waits for the shard to run its task.
  EXPECT_TRUE(a.received.empty());
  shards.runAll();
  for (auto* s : {&a, &b, &c}) {
    ASSERT_EQ(s->received.size(), 1u);
    EXPECT_EQ(s->received[0], message);  // the same object, not a copy
  }
}

TEST_F(HubTest, ShardWithoutSubscribersGetsNoTask) {
  RecordingSubscriber a;
  pubsub.subscribe(1, "room:1", &a);
  pubsub.publish(makeBroadcast("room:1"));
  EXPECT_EQ(shards.pending(0), 0u);
  EXPECT_EQ(shards.pending(1), 1u);
}

TEST_F(HubTest, OtherTopicsAreNotDelivered) {
  RecordingSubscriber a;
  pubsub.subscribe(0, "room:1", &a);
  pubsub.publish(makeBroadcast("room:2"));
  pubsub.publish(makeBroadcast("room:10"));
  EXPECT_EQ(shards.pending(0), 0u);
  shards.runAll();
  EXPECT_TRUE(a.received.empty());
}

TEST_F(HubTest, CountsSubscribersPerShard) {
  RecordingSubscriber a, b, c;
  pubsub.subscribe(0, "t", &a);
  pubsub.subscribe(0, "t", &b);
  pubsub.subscribe(1, "t", &c);
  EXPECT_EQ(pubsub.localSubscribers(0, "t"), 2u);
  EXPECT_EQ(pubsub.localSubscribers(1, "t"), 1u);
  EXPECT_EQ(pubsub.localSubscribers(0, "other"), 0u);
  EXPECT_EQ(pubsub.shardCount(), 2u);
}

TEST_F(HubTest, UnsubscribedSubscriberIsNotCalled) {
  RecordingSubscriber a, b;
  pubsub.subscribe(0, "t", &a);
  pubsub.subscribe(0, "t", &b);
  pubsub.unsubscribe(0, "t", &a);
  pubsub.publish(makeBroadcast("t"));
  shards.runAll();
  EXPECT_TRUE(a.received.empty());
  EXPECT_EQ(b.received.size(), 1u);
}

// Unsubscribing finds the subscriber by the slot the hub remembers (no scan of the
// topic's list), and the remembered slots stay right as leavers' places are taken: every
// subscriber leaves from the middle, in a scrambled order, some with a second topic whose
// list moves them too, and each broadcast reaches exactly who is still subscribed.
TEST_F(HubTest, SubscribersLeaveInAnyOrderAndTheRestStillGetEverything) {
  constexpr int kN = 200;
  std::vector<RecordingSubscriber> subs(kN);
  for (int i = 0; i < kN; ++i) {
    pubsub.subscribe(0, "big", &subs[i]);
    if (i % 3 == 0) pubsub.subscribe(0, "other", &subs[i]);  // a second topic moves the hint
  }
  std::vector<bool> in(kN, true);
  for (int step = 0; step < kN; ++step) {
    int leaver = (step * 7919) % kN;  // 7919 is prime to 200: every index once
    pubsub.unsubscribe(0, "big", &subs[leaver]);
    in[leaver] = false;
    if (step % 50 == 0 || step == kN - 1) {
      for (auto& s : subs) s.received.clear();
      pubsub.publish(makeBroadcast("big"));
      shards.runAll();
      for (int i = 0; i < kN; ++i) EXPECT_EQ(subs[i].received.size(), in[i] ? 1u : 0u) << "subscriber " << i << " at step " << step;
    }
  }
  EXPECT_EQ(pubsub.localSubscribers(0, "big"), 0u);
  // The second topic was not disturbed.
  pubsub.publish(makeBroadcast("other"));
  shards.runAll();
  for (int i = 0; i < kN; ++i) EXPECT_EQ(subs[i].received.size(), i % 3 == 0 ? 1u : 0u);
}

TEST_F(HubTest, LastUnsubscribeStopsTasksForTheShard) {
  RecordingSubscriber a, b;
  pubsub.subscribe(0, "t", &a);
  pubsub.subscribe(1, "t", &b);
  pubsub.unsubscribe(0, "t", &a);
  pubsub.publish(makeBroadcast("t"));
  EXPECT_EQ(shards.pending(0), 0u);
  EXPECT_EQ(shards.pending(1), 1u);
}

TEST_F(HubTest, UnsubscribeAfterPublishBeforeDeliveryDropsTheMessage) {
  RecordingSubscriber a;
  pubsub.subscribe(0, "t", &a);
  pubsub.publish(makeBroadcast("t"));
  pubsub.unsubscribe(0, "t", &a);
  shards.runAll();  // the task finds no subscriber and must not touch `a`
  EXPECT_TRUE(a.received.empty());
}

TEST_F(HubTest, UnsubscribeOfUnknownIsHarmless) {
  RecordingSubscriber a, b;
  pubsub.unsubscribe(0, "t", &a);
  pubsub.subscribe(0, "t", &b);
  pubsub.unsubscribe(0, "t", &a);
  EXPECT_EQ(pubsub.localSubscribers(0, "t"), 1u);
}

TEST_F(HubTest, DeliversInPublishOrder) {
  RecordingSubscriber a;
  pubsub.subscribe(0, "t", &a);
  auto first = makeBroadcast("t", "1");
  auto second = makeBroadcast("t", "2");
  pubsub.publish(first);
  pubsub.publish(second);
  shards.runAll();
  ASSERT_EQ(a.received.size(), 2u);
  EXPECT_EQ(a.received[0], first);
  EXPECT_EQ(a.received[1], second);
}

TEST_F(HubTest, BroadcastsWaitingForAShardShareOneTask) {
  RecordingSubscriber a;
  pubsub.subscribe(0, "t", &a);
  for (int i = 0; i < 3; ++i) pubsub.publish(makeBroadcast("t", std::to_string(i)));
  EXPECT_EQ(shards.pending(0), 1u);  // the shard delivers them together
  shards.runAll();
  ASSERT_EQ(a.received.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(a.received[i]->payload(), std::to_string(i));
  pubsub.publish(makeBroadcast("t"));
  EXPECT_EQ(shards.pending(0), 1u);  // a new task once the last one has drained
}

TEST_F(HubTest, DeliversABoundedBatchPerTurnThenYields) {
  RecordingSubscriber a;
  pubsub.subscribe(0, "t", &a);
  const std::size_t total = Hub::kBroadcastsPerTurn + 10;
  for (std::size_t i = 0; i < total; ++i) pubsub.publish(makeBroadcast("t", std::to_string(i)));
  shards.run(0);
  EXPECT_EQ(a.received.size(), Hub::kBroadcastsPerTurn);
  EXPECT_EQ(shards.pending(0), 1u);  // the rest waits for the shard's next turn
  shards.run(0);
  ASSERT_EQ(a.received.size(), total);
  EXPECT_EQ(a.received.back()->payload(), std::to_string(total - 1));
  EXPECT_EQ(shards.pending(0), 0u);
}

TEST_F(HubTest, ALargeAudienceEndsTheTurnSooner) {
  std::vector<RecordingSubscriber> audience(Hub::kDeliveriesPerTurn);
  for (auto& s : audience) pubsub.subscribe(0, "big", &s);
  auto first = makeBroadcast("big", "1");
  auto second = makeBroadcast("big", "2");
  pubsub.publish(first);
  pubsub.publish(second);
  shards.run(0);  // the first broadcast used the whole delivery budget of the turn
  EXPECT_EQ(audience.front().received.size(), 1u);
  EXPECT_EQ(audience.back().received.size(), 1u);
  EXPECT_EQ(shards.pending(0), 1u);
  shards.run(0);
  ASSERT_EQ(audience.back().received.size(), 2u);
  EXPECT_EQ(audience.back().received[1], second);  // order kept across turns
  for (auto& s : audience) pubsub.unsubscribe(0, "big", &s);
}

TEST_F(HubTest, OverloadedWhileABacklogIsPastItsBound) {
  RecordingSubscriber a;
  pubsub.subscribe(1, "t", &a);
  EXPECT_FALSE(pubsub.overloaded());
  for (std::size_t i = 0; i < Hub::kMaxBacklog; ++i) pubsub.publish(makeBroadcast("t"));
  EXPECT_FALSE(pubsub.overloaded());
  pubsub.publish(makeBroadcast("t"));
  EXPECT_TRUE(pubsub.overloaded());
  EXPECT_EQ(pubsub.backlog(), Hub::kMaxBacklog + 1);
  while (shards.pending(1) > 0) shards.run(1);
  EXPECT_FALSE(pubsub.overloaded());
  EXPECT_EQ(pubsub.backlog(), 0u);
  EXPECT_EQ(pubsub.deliveries(), Hub::kMaxBacklog + 1);
  EXPECT_EQ(a.received.size(), Hub::kMaxBacklog + 1);  // nothing published was dropped
}

}  // namespace
}  // namespace sg::pubsub
