#pragma once
// Shards for hub tests: the tasks the hub posts to each shard wait in a queue until the
// test runs them, so a test sees exactly which shard got a task and when a subscriber is
// called.
#include "pubsub/hub.hpp"

#include <functional>
#include <vector>

namespace sg::test {

class QueuedShards {
 public:
  explicit QueuedShards(std::size_t n) : queues_(n) {}

  std::vector<pubsub::Hub::Post> posts() {
    std::vector<pubsub::Hub::Post> out;
    for (std::size_t i = 0; i < queues_.size(); ++i) {
      out.push_back([this, i](std::function<void()> task) { queues_[i].push_back(std::move(task)); });
    }
    return out;
  }
  std::size_t pending(std::size_t shard) const { return queues_[shard].size(); }
  void run(std::size_t shard) {
    auto tasks = std::move(queues_[shard]);
    queues_[shard].clear();
    for (auto& t : tasks) t();
  }
  void runAll() {
    for (std::size_t i = 0; i < queues_.size(); ++i) run(i);
  }

 private:
  std::vector<std::vector<std::function<void()>>> queues_;
};

}  // namespace sg::test
