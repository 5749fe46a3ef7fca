#pragma once
// The node's hub: PubSub over N shards. publish() goes to the Broker, which hands every
// broadcast for a topic this node subscribes to back to the hub (from this node or
// another); the hub passes it to every shard that has at least one subscriber for the
// topic (through a small inbox: one lock per broadcast and shard, never per delivery), and
// each shard walks its own subscriber lists without locks. The broker learns of a topic
// when its first subscriber on this node arrives and of its end when the last one leaves.
#include "pubsub/broker.hpp"
#include "pubsub/pubsub.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sg::pubsub {

class Hub final : public PubSub {
 public:
  // Runs a task on a shard's thread (asio::post in the server, inline in tests).
  using Post = std::function<void(std::function<void()>)>;

  Hub(std::vector<Post> shards, Broker& broker);
  ~Hub() override;

  // PubSub
  using PubSub::subscribe;
  bool subscribe(std::size_t shard, const std::string& topic, Subscriber* subscriber) override;
  void whenSubscribed(std::size_t shard, const std::string& topic, Ready ready) override;
  void unsubscribe(std::size_t shard, const std::string& topic, Subscriber* subscriber) override;
  boost::system::result<void> publish(BroadcastPtr message) override;
  void publishLocal(BroadcastPtr message) override { fanOut(std::move(message)); }
  void publishConfirmed(BroadcastPtr message, std::function<void(boost::system::result<void>)> done) override {
    broker_.publishConfirmed(std::move(message), std::move(done));
  }
  bool overloaded() const override;
  std::size_t localSubscribers(std::size_t shard, const std::string& topic) const override;
  std::vector<std::string> localTopics(std::string_view prefix) const override;

  std::size_t shardCount() const { return shards_.size(); }
  // For /metrics, from any thread: broadcasts handed to subscribers since start, and
  // broadcasts waiting for their shard now.
  std::uint64_t deliveries() const;
  std::size_t backlog() const;

  // What a shard delivers in one turn of its loop before reads, writes and timers get
  // theirs: at most this many broadcasts, and it stops after the broadcast that takes it
  // past this many deliveries (one broadcast to a large audience is a lot of work).
  static constexpr std::size_t kBroadcastsPerTurn = 64;
  static constexpr std::size_t kDeliveriesPerTurn = 32768;
  // A shard with more broadcasts than this waiting makes overloaded() true.
  static constexpr std::size_t kMaxBacklog = 4096;

 private:
  struct Shard;
  struct Confirmation;
  struct NodeTopic {
    std::size_t shards = 0;  // shards with at least one subscriber
    std::shared_ptr<Confirmation> confirmation;
  };
  // The broker's onMessage: hands the broadcast to the shards that have subscribers.
  void fanOut(BroadcastPtr message);
  void drain(Shard& shard);
  // The node's subscription to `topic` (the broker is asked for it on the first shard).
  std::shared_ptr<Confirmation> topicGained(const std::string& topic);
  void topicLost(const std::string& topic);
  // Runs `ready` now if the broker has confirmed the subscription, else on shard `index`
  // once it has.
  void whenConfirmed(Confirmation& confirmation, std::size_t index, Ready ready);
  // Returns the number of subscribers it was delivered to.
  std::size_t deliverLocal(Shard& shard, const BroadcastPtr& message);

  std::vector<std::unique_ptr<Shard>> shards_;
  Broker& broker_;
  // Shards with at least one subscriber, per topic: the broker hears of the first and the
  // last. Changes only when a shard gains or loses a topic, never per delivery.
  mutable std::mutex topics_mutex_;
  std::unordered_map<std::string, NodeTopic> node_topics_;
};

}  // namespace sg::pubsub
