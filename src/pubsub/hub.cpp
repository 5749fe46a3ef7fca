#include "pubsub/hub.hpp"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <unordered_set>
#include <utility>

namespace sg::pubsub {

// The broker's confirmation of one subscription of this node to a topic, and the
// subscribers' Ready callbacks that wait for it. Shared by the shards that have the topic
// and by the broker's callback, which may run on another thread and after the topic has
// been lost (and gained again, with a confirmation of its own). Once `done`, a subscriber
// reads it without a lock; the callback locks only this, never topics_mutex_, so a broker
// that confirms inline does not deadlock.
struct Hub::Confirmation {
  std::atomic<bool> done{false};
  std::mutex mutex;
  std::vector<std::pair<std::size_t, Ready>> waiting;  // (shard, ready)
};

// Subscriber lists are touched only from the shard's thread. Which topics have any
// subscriber on a shard is also needed by publishers on other threads, so that set is
// kept apart under a reader-writer lock that changes only when a topic gains its first
// or loses its last local subscriber: never per delivered message.
struct Hub::Shard {
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
  struct Topic {
    std::vector<Subscriber*> subscribers;
    std::shared_ptr<Confirmation> confirmation;  // the node's subscription to it
  };
  std::unordered_map<std::string, Topic> topics;
  mutable std::shared_mutex active_mutex;
  std::unordered_set<std::string> active_topics;

  bool hasTopic(const std::string& topic) const {
    std::shared_lock lock(active_mutex);
    return active_topics.contains(topic);
  }
};

Hub::Hub(std::vector<Post> posts, Broker& broker) : broker_(broker) {
  shards_.reserve(posts.size());
  for (auto& p : posts) {
    auto shard = std::make_unique<Shard>();
    shard->post = std::move(p);
    shards_.push_back(std::move(shard));
  }
  broker_.setOnMessage([this](BroadcastPtr message) { fanOut(std::move(message)); });
}

Hub::~Hub() = default;

bool Hub::subscribe(std::size_t index, const std::string& topic, Subscriber* subscriber) {
  auto& shard = *shards_.at(index);
  auto& entry = shard.topics[topic];
  auto& list = entry.subscribers;
  subscriber->hub_slot_ = static_cast<std::uint32_t>(list.size());
  list.push_back(subscriber);
  if (list.size() == 1) {
    {
      std::unique_lock lock(shard.active_mutex);
      shard.active_topics.insert(topic);
    }
    entry.confirmation = topicGained(topic);
  }
  return entry.confirmation->done.load(std::memory_order_acquire);
}

void Hub::whenSubscribed(std::size_t index, const std::string& topic, Ready ready) {
  auto& shard = *shards_.at(index);
  auto it = shard.topics.find(topic);
  // Unsubscribed meanwhile: nothing will confirm it; the caller's check of its own record
  // (it has left) is what the answer would meet anyway.
  if (it == shard.topics.end()) return ready();
  whenConfirmed(*it->second.confirmation, index, std::move(ready));
}

void Hub::unsubscribe(std::size_t index, const std::string& topic, Subscriber* subscriber) {
  auto& shard = *shards_.at(index);
  auto it = shard.topics.find(topic);
  if (it == shard.topics.end()) return;
  auto& list = it->second.subscribers;
  auto pos = subscriber->hub_slot_ < list.size() && list[subscriber->hub_slot_] == subscriber
                 ? list.begin() + subscriber->hub_slot_
                 : std::find(list.begin(), list.end(), subscriber);
  if (pos == list.end()) return;
  // Order among subscribers does not matter: the last one takes the hole.
  *pos = list.back();
  (*pos)->hub_slot_ = static_cast<std::uint32_t>(pos - list.begin());
  list.pop_back();
  if (list.empty()) {
    {
      std::unique_lock lock(shard.active_mutex);
      shard.active_topics.erase(topic);
    }
    topicLost(topic);  // before erasing: `topic` may be the map's own key
    shard.topics.erase(it);
  }
}

// The broker is told under the lock, so that its subscribe/unsubscribe calls for one
// topic arrive in the order the hub decided them.
std::shared_ptr<Hub::Confirmation> Hub::topicGained(const std::string& topic) {
  std::lock_guard lock(topics_mutex_);
  auto& entry = node_topics_[topic];
  if (++entry.shards > 1) return entry.confirmation;
  entry.confirmation = std::make_shared<Confirmation>();
  broker_.subscribe(topic, [this, confirmation = entry.confirmation] {
    std::vector<std::pair<std::size_t, Ready>> waiting;
    {
      std::lock_guard confirmed(confirmation->mutex);
      confirmation->done.store(true, std::memory_order_release);
      waiting.swap(confirmation->waiting);
    }
    for (auto& [index, ready] : waiting) shards_[index]->post(std::move(ready));
  });
  return entry.confirmation;
}

void Hub::topicLost(const std::string& topic) {
  std::lock_guard lock(topics_mutex_);
  auto it = node_topics_.find(topic);
  if (it == node_topics_.end() || --it->second.shards > 0) return;
  node_topics_.erase(it);
  broker_.unsubscribe(topic);
}

void Hub::whenConfirmed(Confirmation& confirmation, std::size_t index, Ready ready) {
  if (!confirmation.done.load(std::memory_order_acquire)) {
    std::lock_guard lock(confirmation.mutex);
    if (!confirmation.done.load(std::memory_order_relaxed)) {
      confirmation.waiting.emplace_back(index, std::move(ready));
      return;
    }
  }
  ready();
}

boost::system::result<void> Hub::publish(BroadcastPtr message) { return broker_.publish(std::move(message)); }

void Hub::fanOut(BroadcastPtr message) {
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

bool Hub::overloaded() const {
  return std::any_of(shards_.begin(), shards_.end(), [](const auto& shard) {
    return shard->backlog.load(std::memory_order_relaxed) > kMaxBacklog;
  });
}

// Delivers a bounded batch, then yields the thread (posting itself again when more wait),
// so that a flood of broadcasts cannot starve the shard's reads, writes and timers.
void Hub::drain(Shard& shard) {
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

std::size_t Hub::deliverLocal(Shard& shard, const BroadcastPtr& message) {
  auto it = shard.topics.find(message->topic());
  if (it == shard.topics.end()) return 0;
  const auto& subscribers = it->second.subscribers;
  for (Subscriber* subscriber : subscribers) subscriber->deliver(message);
  shard.delivered.store(shard.delivered.load(std::memory_order_relaxed) + subscribers.size(), std::memory_order_relaxed);
  return subscribers.size();
}

std::uint64_t Hub::deliveries() const {
  std::uint64_t sum = 0;
  for (const auto& shard : shards_) sum += shard->delivered.load(std::memory_order_relaxed);
  return sum;
}

std::size_t Hub::backlog() const {
  std::size_t sum = 0;
  for (const auto& shard : shards_) sum += shard->backlog.load(std::memory_order_relaxed);
  return sum;
}

std::size_t Hub::localSubscribers(std::size_t index, const std::string& topic) const {
  const auto& shard = *shards_.at(index);
  auto it = shard.topics.find(topic);
  return it == shard.topics.end() ? 0 : it->second.subscribers.size();
}

}  // namespace sg::pubsub

namespace sg::pubsub {

std::vector<std::string> Hub::localTopics(std::string_view prefix) const {
  std::vector<std::string> out;
  std::lock_guard lock(topics_mutex_);
  for (const auto& [topic, shards] : node_topics_)
    if (topic.starts_with(prefix)) out.push_back(topic);
  return out;
}

}  // namespace sg::pubsub
