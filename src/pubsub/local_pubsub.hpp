#pragma once
// In-process PubSub over N shards. publish() hands the broadcast to every shard that has
// at least one subscriber for the topic (through a small inbox: one lock per broadcast
// and shard, never per delivery); each shard walks its own subscriber lists without locks.
#include "pubsub/pubsub.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace sg::pubsub {

class LocalPubSub final : public PubSub {
 public:
  // Runs a task on a shard's thread (asio::post in the server, inline in tests).
  using Post = std::function<void(std::function<void()>)>;

  explicit LocalPubSub(std::vector<Post> shards);
  ~LocalPubSub() override;

  // PubSub
  void subscribe(std::size_t shard, const std::string& topic, Subscriber* subscriber) override;
  void unsubscribe(std::size_t shard, const std::string& topic, Subscriber* subscriber) override;
  void publish(BroadcastPtr message) override;
  bool overloaded() const override;
  std::size_t localSubscribers(std::size_t shard, const std::string& topic) const override;
  std::vector<std::string> activeTopics(std::string_view prefix) const override;

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
  void drain(Shard& shard);
  // Returns the number of subscribers it was delivered to.
  std::size_t deliverLocal(Shard& shard, const BroadcastPtr& message);

  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace sg::pubsub
