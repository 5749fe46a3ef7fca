#pragma once
// The live count of the built-in application: every interval, each user who has a socket
// joined to user_count:{id} receives {"count": <random>} as event "user_count". Users with
// no listener cost nothing, and the publishing runs on the work pool, not on a shard, so
// 100 000 listening users do not stall the event loops. In a cluster each node publishes
// for the users with sockets on it, to those sockets only (PubSub::publishLocal): no
// election, no Redis traffic, and never the same tick from every node.
#include "core/work_pool.hpp"
#include "obs/metrics.hpp"
#include "pubsub/pubsub.hpp"

#include <atomic>
#include <cstdint>

namespace sg::app {

class UserCountWorker {
 public:
  UserCountWorker(pubsub::PubSub& pubsub, WorkPool& pool, obs::Metrics& metrics)
      : pubsub_(pubsub), pool_(pool), metrics_(metrics) {}

  // Called every interval (from a timer); does its work on the pool. A tick is skipped
  // while the previous one is still publishing.
  void tick();
  // Publishes one round now, on the calling thread; returns how many users got a count.
  std::size_t publishRound();

 private:
  pubsub::PubSub& pubsub_;
  WorkPool& pool_;
  obs::Metrics& metrics_;
  std::atomic<bool> busy_{false};
};

}  // namespace sg::app
