#pragma once
// Sockets per user across the nodes of a cluster, in Redis. Each user has a hash
// (sg:us:{user}) with one field per node instance (`node_id`: the node's name and a random
// part drawn at start, so a restarted node does not inherit its past self's counts). A
// small Lua script counts the fields of live nodes, and adds one if under the cap,
// atomically; release takes one off. Every node keeps a liveness key (sg:node:{node_id},
// TTL kLiveness) fresh with heartbeat(): a node that dies stops refreshing it, and the
// next acquire for one of its users drops its fields, so its counts stop counting within
// kLiveness (15 s). Each time the node (re)connects it writes its own counts again from
// its local ones (Admission), which also puts right releases lost while Redis was down.
// The script reads keys it is not given (liveness keys): fine on one Redis server or a
// replicated pair, not on Redis Cluster.
#include "auth/shared_user_counts.hpp"
#include "cluster/redis_client.hpp"

#include <chrono>
#include <mutex>
#include <set>
#include <string>

namespace sg::cluster {

class RedisUserCounts final : public auth::SharedUserCounts {
 public:
  static constexpr std::chrono::milliseconds kLiveness{15'000};
  // A user's hash lives this long after its last acquire (so that a hash left by nodes
  // that are all gone does not stay for ever).
  static constexpr std::chrono::hours kUserTtl{24};

  explicit RedisUserCounts(RedisClient& redis) : redis_(redis) {}
  // Before the client starts: this node instance's id, and where its own counts are read.
  void setNode(std::string node_id, LocalCounts local) {
    node_id_ = std::move(node_id);
    local_ = std::move(local);
  }

  // SharedUserCounts
  void acquire(const std::string& user_id, int cap, Done done) override;
  void release(const std::string& user_id) override;

  // Keeps this node alive in Redis; call every few seconds (a third of kLiveness or less).
  void heartbeat();
  // Writes this node's counts again (RedisClient's on-connected hook).
  void resync();

  const std::string& nodeId() const { return node_id_; }

 private:
  RedisClient& redis_;
  std::string node_id_;
  LocalCounts local_;
  std::mutex mutex_;
  std::set<std::string> dirty_;  // users whose release did not reach Redis
};

}  // namespace sg::cluster
