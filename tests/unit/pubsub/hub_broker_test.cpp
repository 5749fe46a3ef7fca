// The Hub's side of the broker seam, with a broker that records what it is told and
// delivers only when the test says (as a cluster broker hands back messages later):
// first/last-subscriber hooks across two shards, in order; publish goes through the
// broker and nowhere else; the broker's error comes back to the publisher.
#include "pubsub/hub.hpp"
#include "pubsub/queued_shards.hpp"

#include "core/errors.hpp"
#include "pubsub/recording_subscriber.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sg::pubsub {
namespace {

using test::RecordingSubscriber;

class RecordingBroker final : public Broker {
 public:
  void setOnMessage(OnMessage on_message) override { on_message_ = std::move(on_message); }
  void subscribe(const std::string& topic, Subscribed subscribed) override {
    calls.push_back("subscribe " + topic);
    if (confirm_at_once) subscribed();
    else unconfirmed.push_back(std::move(subscribed));
  }
  void unsubscribe(const std::string& topic) override { calls.push_back("unsubscribe " + topic); }
  boost::system::result<void> publish(BroadcastPtr message) override {
    published.push_back(std::move(message));
    return publish_answer;
  }

  // A broadcast arriving from the cluster (this node's or another's).
  void arrive(BroadcastPtr message) { on_message_(std::move(message)); }

  // The cluster's confirmation of the next subscription: at once, or when the test says.
  bool confirm_at_once = true;
  std::vector<Subscribed> unconfirmed;
  void confirm(std::size_t i) { std::exchange(unconfirmed.at(i), {})(); }

  std::vector<std::string> calls;
  std::vector<BroadcastPtr> published;
  boost::system::result<void> publish_answer;

 private:
  OnMessage on_message_;
};

using test::QueuedShards;


BroadcastPtr broadcast(std::string topic) {
  return std::make_shared<const Broadcast>(std::move(topic), "msg", "{}", false);
}

using Calls = std::vector<std::string>;

class HubBrokerTest : public ::testing::Test {
 protected:
  QueuedShards shards{2};
  RecordingBroker broker;
  Hub hub{shards.posts(), broker};
};

TEST_F(HubBrokerTest, TheBrokerHearsOfTheNodesFirstAndLastSubscriberOnly) {
  RecordingSubscriber a, b, c;
  hub.subscribe(0, "room:1", &a);
  hub.subscribe(0, "room:1", &b);
  hub.subscribe(1, "room:1", &c);  // another shard: the node already has the topic
  EXPECT_EQ(broker.calls, Calls{"subscribe room:1"});
  hub.unsubscribe(0, "room:1", &a);
  hub.unsubscribe(0, "room:1", &b);  // shard 0 is done with it; shard 1 is not
  EXPECT_EQ(broker.calls, Calls{"subscribe room:1"});
  hub.unsubscribe(1, "room:1", &c);
  EXPECT_EQ(broker.calls, (Calls{"subscribe room:1", "unsubscribe room:1"}));
  // A topic can come back.
  hub.subscribe(1, "room:1", &c);
  EXPECT_EQ(broker.calls, (Calls{"subscribe room:1", "unsubscribe room:1", "subscribe room:1"}));
}

TEST_F(HubBrokerTest, HooksForSeveralTopicsArriveInTheOrderTheyHappened) {
  RecordingSubscriber a, b;
  hub.subscribe(0, "t1", &a);
  hub.subscribe(1, "t2", &b);
  hub.subscribe(1, "t1", &b);
  hub.unsubscribe(0, "t1", &a);
  hub.unsubscribe(1, "t2", &b);
  hub.unsubscribe(1, "t1", &b);
  EXPECT_EQ(broker.calls, (Calls{"subscribe t1", "subscribe t2", "unsubscribe t2", "unsubscribe t1"}));
}

TEST_F(HubBrokerTest, UnknownChangesTellTheBrokerNothing) {
  RecordingSubscriber a, b;
  hub.subscribe(0, "t", &a);
  hub.unsubscribe(0, "t", &b);
  hub.unsubscribe(1, "t", &a);
  hub.unsubscribe(0, "other", &a);
  EXPECT_EQ(broker.calls, Calls{"subscribe t"});
  EXPECT_EQ(hub.localTopics(""), std::vector<std::string>{"t"});
}

// A join is answered once the subscription holds: Ready waits for the broker's confirmation,
// for every subscriber that arrives meanwhile on any shard, and then runs on each one's shard.
TEST_F(HubBrokerTest, ReadyWaitsForTheBrokersConfirmationThenRunsOnTheSubscribersShard) {
  broker.confirm_at_once = false;
  RecordingSubscriber a, b, c;
  std::vector<std::string> ready;
  // (b and c on shard 1)
  hub.subscribe(0, "t", &a, [&] { ready.push_back("a"); });
  hub.subscribe(1, "t", &b, [&] { ready.push_back("b"); });
  hub.subscribe(1, "t", &c, [&] { ready.push_back("c"); });
  ASSERT_EQ(broker.unconfirmed.size(), 1u);
  shards.runAll();
  EXPECT_TRUE(ready.empty());
  broker.confirm(0);
  EXPECT_TRUE(ready.empty());  // posted to the shards, not run on the broker's thread
  EXPECT_EQ(shards.pending(0), 1u);
  EXPECT_EQ(shards.pending(1), 2u);
  shards.runAll();
  EXPECT_EQ(ready, (std::vector<std::string>{"a", "b", "c"}));
  // Confirmed now: a later subscriber is ready at once, inline.
  RecordingSubscriber d;
  hub.subscribe(0, "t", &d, [&] { ready.push_back("d"); });
  EXPECT_EQ(ready.back(), "d");
  EXPECT_EQ(shards.pending(0), 0u);
}

// subscribe() says whether the subscription already holds, so that a caller answers at
// once without a callback; whenSubscribed() waits for the broker like Ready does.
TEST_F(HubBrokerTest, SubscribeSaysWhetherTheSubscriptionHoldsAndWhenSubscribedWaitsOtherwise) {
  broker.confirm_at_once = false;
  RecordingSubscriber a, b, c;
  EXPECT_FALSE(hub.subscribe(0, "t", &a));
  EXPECT_FALSE(hub.subscribe(1, "t", &b));  // the node's subscription is still unconfirmed
  bool a_ready = false;
  hub.whenSubscribed(0, "t", [&] { a_ready = true; });
  EXPECT_FALSE(a_ready);
  broker.confirm(0);
  EXPECT_FALSE(a_ready);  // posted to shard 0
  shards.run(0);
  EXPECT_TRUE(a_ready);
  EXPECT_TRUE(hub.subscribe(1, "t", &c));
  bool c_ready = false;
  hub.whenSubscribed(1, "t", [&] { c_ready = true; });  // confirmed: inline
  EXPECT_TRUE(c_ready);
  // On one node (a broker that confirms inline) every subscription holds at once.
  broker.confirm_at_once = true;
  RecordingSubscriber d;
  EXPECT_TRUE(hub.subscribe(0, "other", &d));
  // An empty Ready is nothing to run, confirmed or not.
  broker.confirm_at_once = false;
  RecordingSubscriber e, f;
  hub.subscribe(0, "third", &e, PubSub::Ready{});
  hub.subscribe(0, "other", &f, PubSub::Ready{});
  EXPECT_EQ(hub.localSubscribers(0, "third"), 1u);
  EXPECT_EQ(hub.localSubscribers(0, "other"), 2u);
}

// A topic lost before its confirmation and gained again waits for the new subscription's
// confirmation: the old one (late, from a subscription already undone) confirms nothing.
TEST_F(HubBrokerTest, ALateConfirmationOfAnEarlierSubscriptionConfirmsNothing) {
  broker.confirm_at_once = false;
  RecordingSubscriber a;
  bool ready = false;
  hub.subscribe(0, "t", &a);
  hub.unsubscribe(0, "t", &a);
  hub.subscribe(0, "t", &a, [&] { ready = true; });
  ASSERT_EQ(broker.unconfirmed.size(), 2u);
  broker.confirm(0);
  shards.runAll();
  EXPECT_FALSE(ready);
  broker.confirm(1);
  shards.runAll();
  EXPECT_TRUE(ready);
}

TEST_F(HubBrokerTest, PublishGoesThroughTheBrokerOnly) {
  RecordingSubscriber a;
  hub.subscribe(0, "t", &a);
  auto message = broadcast("t");
  ASSERT_TRUE(hub.publish(message));
  ASSERT_EQ(broker.published.size(), 1u);
  EXPECT_EQ(broker.published[0], message);
  // Nothing is delivered behind the broker's back: local subscribers get what it hands back.
  EXPECT_EQ(shards.pending(0), 0u);
  shards.runAll();
  EXPECT_TRUE(a.received.empty());
  broker.arrive(message);
  shards.runAll();
  ASSERT_EQ(a.received.size(), 1u);
  EXPECT_EQ(a.received[0], message);
}

TEST_F(HubBrokerTest, BroadcastsFromOtherNodesReachTheShardsWithSubscribers) {
  RecordingSubscriber a, b;
  hub.subscribe(1, "t", &a);
  hub.subscribe(1, "other", &b);
  broker.arrive(broadcast("t"));
  broker.arrive(broadcast("unknown"));
  EXPECT_EQ(shards.pending(0), 0u);
  EXPECT_EQ(shards.pending(1), 1u);
  shards.runAll();
  EXPECT_EQ(a.received.size(), 1u);
  EXPECT_TRUE(b.received.empty());
  EXPECT_EQ(hub.deliveries(), 1u);
}

// user_count in a cluster: each node delivers its own ticks to its own sockets, and the
// broker (so every other node) hears nothing of them.
TEST_F(HubBrokerTest, PublishLocalReachesThisNodesSubscribersOnly) {
  RecordingSubscriber a, b;
  hub.subscribe(0, "user_count:1", &a);
  hub.subscribe(1, "user_count:2", &b);
  hub.publishLocal(broadcast("user_count:1"));
  hub.publishLocal(broadcast("user_count:9"));  // no subscriber here: nothing to do
  EXPECT_TRUE(broker.published.empty());
  EXPECT_EQ(shards.pending(1), 0u);
  shards.runAll();
  EXPECT_EQ(a.received.size(), 1u);
  EXPECT_TRUE(b.received.empty());
}

TEST_F(HubBrokerTest, ABrokerErrorIsThePublishersAnswer) {
  broker.publish_answer = make_error_code(Errc::unavailable);
  auto published = hub.publish(broadcast("t"));
  ASSERT_FALSE(published);
  EXPECT_EQ(published.error(), Errc::unavailable);
}

TEST_F(HubBrokerTest, LocalTopicsAreTheNodesWithAPrefix) {
  RecordingSubscriber a, b;
  hub.subscribe(0, "user_count:1", &a);
  hub.subscribe(1, "user_count:2", &b);
  hub.subscribe(1, "room:1", &b);
  auto topics = hub.localTopics("user_count:");
  std::sort(topics.begin(), topics.end());
  EXPECT_EQ(topics, (std::vector<std::string>{"user_count:1", "user_count:2"}));
  hub.unsubscribe(0, "user_count:1", &a);
  EXPECT_EQ(hub.localTopics("user_count:"), std::vector<std::string>{"user_count:2"});
}

}  // namespace
}  // namespace sg::pubsub
