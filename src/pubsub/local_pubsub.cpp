#include "pubsub/local_pubsub.hpp"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>
#include <utility>

namespace sg::pubsub {

// Subscriber lists are touched only from the shard's thread. Which topics have any
// subscriber on a shard is also needed by publishers on other threads, so that set is
// kept apart under a reader-writer lock that changes only when a topic gains its first
// or loses its last local subscriber: never per delivered message.
struct LocalPubSub::Shard {
  Post post;
  // Broadcasts waiting for the shard's thread. One posted drain serves all that arrive
  // before it runs: under load the shard delivers broadcasts in batches, and its sockets
  // write a batch's frames together.
  std::mutex inbox_mutex;
  std::deque<BroadcastPtr> inbox;
  bool drain_posted = false;
  std::atomic<std::size_t> backlog{0};  // inbox.size(), readable without the lock
  std::vector<BroadcastPtr> draining;    // shard thread only
  // Written by the shard's thread only (no read-modify-write across cores), read by /metrics.
  std::atomic<std::uint64_t> delivered{0};
  std::unordered_map<std::string, std::vector<Subscriber*>> topics;
  mutable std::shared_mutex active_mutex;
  std::unordered_set<std::string> active_topics;

  bool hasTopic(const std::string& topic) const {
    std::shared_lock lock(active_mutex);
    return active_topics.contains(topic);
  }
};

LocalPubSub::LocalPubSub(std::vector<Post> posts) {
  shards_.reserve(posts.size());
  for (auto& p : posts) {
    auto shard = std::make_unique<Shard>();
    shard->post = std::move(p);
    shards_.push_back(std::move(shard));
  }
}

LocalPubSub::~LocalPubSub() = default;

void LocalPubSub::subscribe(std::size_t index, const std::string& topic, Subscriber* subscriber) {
  auto& shard = *shards_.at(index);
  auto& list = shard.topics[topic];
  if (std::find(list.begin(), list.end(), subscriber) != list.end()) return;
  list.push_back(subscriber);
  if (list.size() == 1) {
    std::unique_lock lock(shard.active_mutex);
    shard.active_topics.insert(topic);
  }
}

void LocalPubSub::unsubscribe(std::size_t index, const std::string& topic, Subscriber* subscriber) {
  auto& shard = *shards_.at(index);
  auto it = shard.topics.find(topic);
  if (it == shard.topics.end()) return;
  auto& list = it->second;
  auto pos = std::find(list.begin(), list.end(), subscriber);
  if (pos == list.end()) return;
  *pos = list.back();  // order among subscribers does not matter
  list.pop_back();
  if (list.empty()) {
    shard.topics.erase(it);
    std::unique_lock lock(shard.active_mutex);
    shard.active_topics.erase(topic);
  }
}

void LocalPubSub::publish(BroadcastPtr message) {
  for (auto& shard : shards_) {
    if (!shard->hasTopic(message->topic())) continue;
    bool post;
    {
      std::lock_guard lock(shard->inbox_mutex);
      shard->inbox.push_back(message);
      shard->backlog.store(shard->inbox.size(), std::memory_order_relaxed);
      post = !std::exchange(shard->drain_posted, true);
    }
    if (post) shard->post([this, s = shard.get()] { drain(*s); });
  }
}

bool LocalPubSub::overloaded() const {
  return std::any_of(shards_.begin(), shards_.end(), [](const auto& shard) {
    return shard->backlog.load(std::memory_order_relaxed) > kMaxBacklog;
  });
}

// Delivers a bounded batch, then yields the thread (posting itself again when more wait),
// so that a flood of broadcasts cannot starve the shard's reads, writes and timers.
void LocalPubSub::drain(Shard& shard) {
  {
    std::lock_guard lock(shard.inbox_mutex);
    auto n = static_cast<std::ptrdiff_t>(std::min(shard.inbox.size(), kBroadcastsPerTurn));
    shard.draining.assign(std::make_move_iterator(shard.inbox.begin()), std::make_move_iterator(shard.inbox.begin() + n));
    shard.inbox.erase(shard.inbox.begin(), shard.inbox.begin() + n);
  }
  std::size_t done = 0, deliveries = 0;
  while (done < shard.draining.size() && deliveries < kDeliveriesPerTurn) {
    deliveries += deliverLocal(shard, shard.draining[done++]);
  }
  bool more;
  {
    std::lock_guard lock(shard.inbox_mutex);
    // What the delivery budget left goes back to the front, in order.
    auto rest = shard.draining.begin() + static_cast<std::ptrdiff_t>(done);
    shard.inbox.insert(shard.inbox.begin(), std::make_move_iterator(rest), std::make_move_iterator(shard.draining.end()));
    shard.backlog.store(shard.inbox.size(), std::memory_order_relaxed);
    more = !shard.inbox.empty();
    shard.drain_posted = more;
  }
  shard.draining.clear();
  if (more) shard.post([this, s = &shard] { drain(*s); });
}

std::size_t LocalPubSub::deliverLocal(Shard& shard, const BroadcastPtr& message) {
  auto it = shard.topics.find(message->topic());
  if (it == shard.topics.end()) return 0;
  for (Subscriber* subscriber : it->second) subscriber->deliver(message);
  shard.delivered.store(shard.delivered.load(std::memory_order_relaxed) + it->second.size(), std::memory_order_relaxed);
  return it->second.size();
}

std::uint64_t LocalPubSub::deliveries() const {
  std::uint64_t sum = 0;
  for (const auto& shard : shards_) sum += shard->delivered.load(std::memory_order_relaxed);
  return sum;
}

std::size_t LocalPubSub::backlog() const {
  std::size_t sum = 0;
  for (const auto& shard : shards_) sum += shard->backlog.load(std::memory_order_relaxed);
  return sum;
}

std::size_t LocalPubSub::localSubscribers(std::size_t index, const std::string& topic) const {
  const auto& shard = *shards_.at(index);
  auto it = shard.topics.find(topic);
  return it == shard.topics.end() ? 0 : it->second.size();
}

}  // namespace sg::pubsub

namespace sg::pubsub {

std::vector<std::string> LocalPubSub::activeTopics(std::string_view prefix) const {
  std::unordered_set<std::string> seen;
  for (const auto& shard : shards_) {
    std::shared_lock lock(shard->active_mutex);
    for (const auto& topic : shard->active_topics)
      if (topic.starts_with(prefix)) seen.insert(topic);
  }
  return {seen.begin(), seen.end()};
}

}  // namespace sg::pubsub
