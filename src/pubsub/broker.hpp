#pragma once
// The seam between this node's hub and the other nodes of a cluster (as centrifuge's
// Broker). The hub tells the broker which topics have subscribers on this node (first and
// last subscriber hooks); the broker hands every broadcast published on any node, this one
// included, for those topics to the hub's onMessage, once and in publish order per topic.
// One node: InProcessBroker. Several: a Redis broker (channel per topic).
#include "pubsub/broadcast.hpp"

#include <boost/system/result.hpp>

#include <functional>
#include <string>

namespace sg::pubsub {

class Broker {
 public:
  using OnMessage = std::function<void(BroadcastPtr)>;
  virtual ~Broker() = default;

  // Where broadcasts for subscribed topics go; set once, before the first subscribe.
  virtual void setOnMessage(OnMessage on_message) = 0;
  // Runs once when broadcasts published from then on reach this node (a cluster's broker
  // has confirmed the subscription), or when they cannot (its link is down: nothing could
  // be published to this node then). Inline or from another thread; must not block. May
  // be empty.
  using Subscribed = std::function<void()>;
  // This node gained its first subscriber to `topic` / lost its last. Any thread.
  virtual void subscribe(const std::string& topic, Subscribed subscribed) = 0;
  virtual void unsubscribe(const std::string& topic) = 0;
  // Sends to every node. Fails with Errc::unavailable when the broadcast cannot reach the
  // other nodes (the caller answers 503, never pretends it was delivered). Any thread.
  virtual boost::system::result<void> publish(BroadcastPtr message) = 0;
  // As publish(), but answers once the broadcast is on its way to every node (Redis has
  // taken the PUBLISH), or has failed: for publishers that acknowledge to a client, so that
  // nothing acknowledged is lost when the link to the other nodes drops meanwhile. Any
  // thread; `done` runs once, inline or from another thread. One node: publish(), inline.
  using Published = std::function<void(boost::system::result<void>)>;
  virtual void publishConfirmed(BroadcastPtr message, Published done) { done(publish(std::move(message))); }
};

}  // namespace sg::pubsub
