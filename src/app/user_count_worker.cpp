#include "app/user_count_worker.hpp"

#include <sodium.h>

#include <string>

namespace sg::app {

void UserCountWorker::tick() {
  if (busy_.exchange(true)) return;
  pool_.post([this] {
    publishRound();
    busy_.store(false);
  });
}

std::size_t UserCountWorker::publishRound() {
  auto topics = pubsub_.localTopics("user_count:");
  for (auto& topic : topics) {
    std::string payload = "{\"count\":" + std::to_string(randombytes_uniform(1000)) + "}";
    // Each node counts for its own sockets: in a cluster every node runs this worker, and
    // a publish() through the broker would reach each user once per node.
    pubsub_.publishLocal(std::make_shared<const pubsub::Broadcast>(std::move(topic), "user_count", std::move(payload), false));
  }
  obs::inc(metrics_.broadcasts, topics.size());
  return topics.size();
}

}  // namespace sg::app
