#pragma once
// The broker of a single node: a broadcast goes straight back to this node's hub.
#include "pubsub/broker.hpp"

namespace sg::pubsub {

class InProcessBroker final : public Broker {
 public:
  void setOnMessage(OnMessage on_message) override { on_message_ = std::move(on_message); }
  void subscribe(const std::string&, Subscribed subscribed) override {
    if (subscribed) subscribed();
  }
  void unsubscribe(const std::string&) override {}
  boost::system::result<void> publish(BroadcastPtr message) override {
    on_message_(std::move(message));
    return {};
  }

 private:
  OnMessage on_message_;
};

}  // namespace sg::pubsub
