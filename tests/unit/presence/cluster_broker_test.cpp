// presence::ClusterBroker: two and three nodes over a loopback cluster broker (what Redis
// does between nodes: a publish reaches every node subscribed to the topic, the sender
// included, in order). Each node is a ClusterBroker over its loopback end, a Hub over
// that, a Tracker over the hub, and a recording subscriber standing for its sockets.
#include "presence/cluster_broker.hpp"

#include "pubsub/hub.hpp"
#include "pubsub/recording_subscriber.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <deque>
#include <set>

namespace sg::presence {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

class LoopbackCluster {
 public:
  class End final : public pubsub::Broker {
   public:
    explicit End(LoopbackCluster& cluster) : cluster_(cluster) {}
    void setOnMessage(OnMessage on_message) override { on_message_ = std::move(on_message); }
    void subscribe(const std::string& topic, Subscribed subscribed) override {
      topics_.insert(topic);
      if (subscribed) subscribed();
    }
    void unsubscribe(const std::string& topic) override { topics_.erase(topic); }
    boost::system::result<void> publish(pubsub::BroadcastPtr message) override {
      if (!cluster_.up) return std::error_code(ENOTCONN, std::generic_category());  // any error
      cluster_.queue.push_back(std::move(message));
      return {};
    }

    bool connected = true;  // false: this node hears nothing (a broken link)
    std::set<std::string> topics_;
    OnMessage on_message_;

   private:
    LoopbackCluster& cluster_;
  };

  End& add() { return *ends.emplace_back(std::make_unique<End>(*this)); }
  // Delivers everything published, and what that causes, in order.
  void pump() {
    while (!queue.empty()) {
      auto m = queue.front();
      queue.pop_front();
      for (auto& end : ends)
        if (end->connected && end->topics_.contains(m->topic())) end->on_message_(m);
    }
  }
  // Loses what is in flight (a broker that dropped its messages).
  void lose() { queue.clear(); }

  bool up = true;
  std::deque<pubsub::BroadcastPtr> queue;
  std::vector<std::unique_ptr<End>> ends;
};

struct Node {
  Node(LoopbackCluster& cluster, const Clock& clock, std::string prefix)
      : end(cluster.add()), broker(end, clock), hub({[](std::function<void()> task) { task(); }}, broker),
        tracker(*Tracker::parseTopics({"room:*"}, nullptr), hub, clock, std::move(prefix)) {
    broker.attach(tracker);
  }
  // A socket of this node joins: the hub subscription first, as PhoenixSocket does.
  void join(const std::string& topic, const void* owner, const std::string& user) {
    hub.subscribe(0, topic, &sockets);
    tracker.track(topic, owner, user, "");
  }
  // {user: metas} of the state a joiner on this node would get now.
  std::map<std::string, std::size_t> state(const std::string& topic) const {
    std::map<std::string, std::size_t> out;
    auto state = json::parse(tracker.state(topic));
    for (const auto& [key, p] : state.as_object()) out[key] = p.at("metas").as_array().size();
    return out;
  }
  // The presence_diffs this node's sockets got, as "+user" / "-user" per meta.
  std::vector<std::string> diffs() const {
    std::vector<std::string> out;
    for (const auto& b : sockets.received) {
      if (b->event() != "presence_diff") continue;
      auto d = json::parse(b->payload());
      for (auto [field, sign] : {std::pair{"joins", "+"}, std::pair{"leaves", "-"}})
        for (const auto& [key, p] : d.at(field).as_object())
          for (std::size_t i = 0; i < p.at("metas").as_array().size(); ++i) out.push_back(sign + std::string(key));
    }
    return out;
  }

  LoopbackCluster::End& end;
  ClusterBroker broker;
  pubsub::Hub hub;
  Tracker tracker;
  test::RecordingSubscriber sockets;
};

using Users = std::map<std::string, std::size_t>;

class ClusterPresence : public ::testing::Test {
 protected:
  ManualClock clock;
  LoopbackCluster cluster;
  Node a{cluster, clock, "AAAAAAAA"};
  Node b{cluster, clock, "BBBBBBBB"};
  int s1 = 0, s2 = 0, s3 = 0;
};

TEST_F(ClusterPresence, ALateNodeLearnsTheEntriesOfTheOthers) {
  a.join("room:1", &s1, "alice");
  a.join("room:1", &s2, "bob");
  cluster.pump();
  // b's first socket: its state holds only itself at once; a's entries come as a diff.
  b.join("room:1", &s3, "alice");
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}}));
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 2}, {"bob", 1}}));
  auto diffs = b.diffs();
  EXPECT_EQ(std::multiset<std::string>(diffs.begin(), diffs.end()),
            (std::multiset<std::string>{"+alice", "+alice", "+bob"}));  // its own, then a's two
  // a heard b's join through the topic, like any broadcast.
  EXPECT_EQ(a.state("room:1"), (Users{{"alice", 2}, {"bob", 1}}));
}

TEST_F(ClusterPresence, DiffsOfTheOtherNodeKeepTheReplicaCurrent) {
  a.join("room:1", &s1, "alice");
  b.join("room:1", &s2, "bob");
  cluster.pump();
  a.tracker.untrack("room:1", &s1);
  a.tracker.track("room:1", &s3, "carol", "phone");
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"bob", 1}, {"carol", 1}}));
  EXPECT_EQ(a.state("room:1"), (Users{{"bob", 1}, {"carol", 1}}));
  // Every diff reached both nodes' sockets once: none was repeated locally.
  EXPECT_EQ(a.diffs(), b.diffs());
}

TEST_F(ClusterPresence, HeartbeatsRepairAMissedDiff) {
  a.join("room:1", &s1, "alice");
  b.join("room:1", &s2, "bob");
  cluster.pump();
  a.tracker.track("room:1", &s3, "carol", "");
  cluster.lose();  // b never hears of carol
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}}));
  a.broker.tick();  // a's heartbeat: its digest for room:1 counts two
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}, {"carol", 1}}));
  auto diffs = b.diffs();
  EXPECT_EQ(std::count(diffs.begin(), diffs.end(), "+carol"), 1);
}

TEST_F(ClusterPresence, HeartbeatsRepairAMissedLeave) {
  a.join("room:1", &s1, "alice");
  b.join("room:1", &s2, "bob");
  cluster.pump();
  a.tracker.untrack("room:1", &s1);
  cluster.lose();
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}}));
  a.broker.tick();  // a lists no entries on room:1 any more
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"bob", 1}}));
  EXPECT_EQ(b.diffs().back(), "-alice");
}

TEST_F(ClusterPresence, WhileTheClusterIsDownANodesOwnSocketsStillSeeItsDiffs) {
  a.join("room:1", &s1, "alice");
  b.join("room:1", &s2, "bob");
  cluster.pump();
  cluster.up = false;
  a.tracker.track("room:1", &s3, "carol", "");
  EXPECT_EQ(a.diffs().back(), "+carol");  // delivered here although the cluster refused it
  cluster.up = true;
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}}));
  a.broker.tick();  // the next heartbeat that gets through
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}, {"carol", 1}}));
  EXPECT_EQ(b.diffs().back(), "+carol");
  auto diffs = a.diffs();
  EXPECT_EQ(std::count(diffs.begin(), diffs.end(), "+carol"), 1);
}

TEST_F(ClusterPresence, ADeadNodesEntriesLeaveWithinTheTtl) {
  a.join("room:1", &s1, "alice");
  a.join("room:2", &s2, "alice");
  b.join("room:1", &s3, "bob");
  a.broker.tick();
  b.broker.tick();
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}}));
  EXPECT_EQ(b.broker.nodes(), 1u);
  // a dies: b keeps ticking, a says nothing more.
  a.end.connected = false;
  for (int s = 1; s <= 15; ++s) {
    clock.advance(1s);
    b.broker.tick();
    cluster.pump();
  }
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}}));  // 15 s: not yet
  clock.advance(1s);
  b.broker.tick();
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"bob", 1}}));  // 16 s: gone
  EXPECT_EQ(b.diffs().back(), "-alice");
  EXPECT_EQ(b.broker.nodes(), 0u);
  EXPECT_EQ(b.tracker.replica().size(), 0u);
}

TEST_F(ClusterPresence, ALiveNodeStaysThroughItsHeartbeats) {
  a.join("room:1", &s1, "alice");
  b.join("room:1", &s2, "bob");
  cluster.pump();
  for (int s = 1; s <= 60; ++s) {
    clock.advance(1s);
    a.broker.tick();
    b.broker.tick();
    cluster.pump();
  }
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}}));
  EXPECT_EQ(b.diffs().size(), 2u);  // bob's own join and alice's: no churn from heartbeats
}

TEST_F(ClusterPresence, ByeDropsANodeAtOnce) {
  a.join("room:1", &s1, "alice");
  b.join("room:1", &s2, "bob");
  cluster.pump();
  a.broker.goodbye();
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"bob", 1}}));
  EXPECT_EQ(b.diffs().back(), "-alice");
}

TEST_F(ClusterPresence, ThreeNodesAndALastSubscriberLeaving) {
  Node c{cluster, clock, "CCCCCCCC"};
  a.join("room:1", &s1, "alice");
  b.join("room:1", &s2, "bob");
  cluster.pump();
  c.join("room:1", &s3, "carol");
  cluster.pump();
  EXPECT_EQ(c.state("room:1"), (Users{{"alice", 1}, {"bob", 1}, {"carol", 1}}));
  EXPECT_EQ(a.state("room:1"), c.state("room:1"));
  EXPECT_EQ(b.state("room:1"), c.state("room:1"));
  // c's last socket leaves: c stops hearing room:1 and forgets it.
  c.tracker.untrack("room:1", &s3);
  c.hub.unsubscribe(0, "room:1", &c.sockets);
  cluster.pump();
  EXPECT_EQ(c.tracker.replica().size(), 0u);
  EXPECT_EQ(a.state("room:1"), (Users{{"alice", 1}, {"bob", 1}}));
}

TEST_F(ClusterPresence, NoOneCanPublishOnTheControlTopic) {
  a.join("room:1", &s1, "alice");
  b.join("room:1", &s2, "bob");
  cluster.pump();
  // A forged bye for a, published through b's hub (a client's or the API's broadcast).
  auto forged = std::make_shared<const pubsub::Broadcast>(std::string(ClusterBroker::kControlTopic), "bye",
                                                          R"({"node":"AAAAAAAA"})", false);
  EXPECT_TRUE(b.hub.publish(forged));
  b.hub.subscribe(0, std::string(ClusterBroker::kControlTopic), &b.sockets);
  cluster.pump();
  EXPECT_EQ(b.state("room:1"), (Users{{"alice", 1}, {"bob", 1}}));
  // Nor are control messages handed to the hub's subscribers.
  a.broker.tick();
  cluster.pump();
  for (const auto& m : b.sockets.received) EXPECT_NE(m->topic(), ClusterBroker::kControlTopic);
}

TEST_F(ClusterPresence, OtherBroadcastsPassThrough) {
  b.hub.subscribe(0, "news", &b.sockets);
  EXPECT_TRUE(a.hub.publish(std::make_shared<const pubsub::Broadcast>("news", "msg", "{}", false)));
  cluster.pump();
  ASSERT_EQ(b.sockets.received.size(), 1u);
  EXPECT_EQ(b.sockets.received[0]->event(), "msg");
  cluster.up = false;
  EXPECT_FALSE(a.hub.publish(std::make_shared<const pubsub::Broadcast>("news", "msg", "{}", false)));
}

}  // namespace
}  // namespace sg::presence
