#include "protocol/phoenix_relays.hpp"

#include <algorithm>

namespace sg::protocol {

// One relay: subscribed to its source topic under its own address.
class PhoenixRelays::Listener final : public pubsub::Subscriber {
 public:
  Listener(std::shared_ptr<const channels::Relay> relay, std::string owner_topic, std::string owner_join_ref,
           std::size_t shard, pubsub::Subscriber& out)
      : relay_(std::move(relay)), owner_topic_(std::move(owner_topic)), owner_join_ref_(std::move(owner_join_ref)),
        shard_(shard), out_(out) {}

  const channels::Relay& relay() const { return *relay_; }
  bool ownedBy(std::string_view topic, std::string_view join_ref) const {
    return owner_topic_ == topic && owner_join_ref_ == join_ref;
  }

  void deliver(const pubsub::BroadcastPtr& message) override {
    if (auto relayed = relay_->transform(message, shard_)) out_.deliver(relayed);
  }

 private:
  std::shared_ptr<const channels::Relay> relay_;
  std::string owner_topic_;
  std::string owner_join_ref_;
  std::size_t shard_;
  pubsub::Subscriber& out_;
};

PhoenixRelays::PhoenixRelays(pubsub::PubSub& pubsub, std::size_t shard, pubsub::Subscriber& out)
    : pubsub_(pubsub), shard_(shard), out_(out) {}

PhoenixRelays::~PhoenixRelays() { stopAll(); }

PhoenixRelays::Start PhoenixRelays::start(std::shared_ptr<const channels::Relay> relay, std::string owner_topic,
                                          std::string owner_join_ref, std::size_t max, pubsub::PubSub::Ready ready) {
  auto running = std::find_if(listeners_.begin(), listeners_.end(),
                              [&](const auto& l) { return l->relay().id == relay->id; });
  if (running != listeners_.end()) {
    ready();
    return Start::AlreadyRunning;
  }
  if (listeners_.size() >= max) return Start::TooMany;
  listeners_.push_back(
      std::make_unique<Listener>(std::move(relay), std::move(owner_topic), std::move(owner_join_ref), shard_, out_));
  pubsub_.subscribe(shard_, listeners_.back()->relay().source, listeners_.back().get(), std::move(ready));
  return Start::Started;
}

void PhoenixRelays::unsubscribe(Listener& listener) { pubsub_.unsubscribe(shard_, listener.relay().source, &listener); }

bool PhoenixRelays::stop(std::string_view id) {
  auto it = std::find_if(listeners_.begin(), listeners_.end(), [&](const auto& l) { return l->relay().id == id; });
  if (it == listeners_.end()) return false;
  unsubscribe(**it);
  listeners_.erase(it);
  return true;
}

void PhoenixRelays::stopOwnedBy(std::string_view owner_topic, std::string_view owner_join_ref) {
  std::erase_if(listeners_, [&](const auto& l) {
    if (!l->ownedBy(owner_topic, owner_join_ref)) return false;
    unsubscribe(*l);
    return true;
  });
}

void PhoenixRelays::stopAll() {
  for (auto& l : listeners_) unsubscribe(*l);
  listeners_.clear();
}

}  // namespace sg::protocol
