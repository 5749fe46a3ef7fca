#pragma once
// A pubsub::Subscriber that remembers what it was given, for tests.
#include "pubsub/pubsub.hpp"

#include <vector>

namespace sg::test {

class RecordingSubscriber final : public pubsub::Subscriber {
 public:
  void deliver(const pubsub::BroadcastPtr& message) override { received.push_back(message); }
  std::vector<pubsub::BroadcastPtr> received;
};

}  // namespace sg::test
