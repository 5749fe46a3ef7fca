#pragma once
// The Broker of a cluster node: one Redis channel per topic (sg:topic:{topic}). The node
// SUBSCRIBEs to a topic's channel while it has local subscribers (the hub's first/last
// hooks) and again after every reconnect, and tells the hub when Redis has confirmed it
// (until then a PUBLISH on another node would not reach this one); publish() is one
// PUBLISH of the broadcast, encoded once. Every broadcast, this node's own included, comes back from Redis and is
// decoded once and handed to the hub, which fans it out with its usual batching: no local
// shortcut, so nobody gets a broadcast twice, and every node delivers one topic's
// broadcasts in the one order Redis gave them. While Redis is down publish() fails with
// Errc::unavailable (the API answers 503); sockets stay open.
#include "cluster/redis_client.hpp"
#include "pubsub/broker.hpp"

#include <atomic>
#include <cstdint>

namespace sg::cluster {

class RedisBroker final : public pubsub::Broker {
 public:
  explicit RedisBroker(RedisClient& redis) : redis_(redis) {}

  // Broker
  void setOnMessage(OnMessage on_message) override { on_message_ = std::move(on_message); }
  void subscribe(const std::string& topic, Subscribed subscribed) override;
  void unsubscribe(const std::string& topic) override;
  boost::system::result<void> publish(pubsub::BroadcastPtr message) override;
  void publishConfirmed(pubsub::BroadcastPtr message, Published done) override;

  // A message on a topic channel (RedisClient's OnMessage); other channels are ignored.
  void onRedisMessage(const std::string& channel, std::string_view message);

  // For /metrics: PUBLISH commands that failed after publish() had accepted them (Redis
  // went down in between).
  std::uint64_t lostPublishes() const { return lost_.load(std::memory_order_relaxed); }

 private:
  RedisClient& redis_;
  OnMessage on_message_;
  std::atomic<std::uint64_t> lost_{0};
};

}  // namespace sg::cluster
