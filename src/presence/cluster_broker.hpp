#pragma once
// Presence across the nodes of a cluster, on the Broker seam alone: this Broker sits
// between the hub and the cluster's broker (Redis, or InProcessBroker on one node) and
// passes every subscribe, unsubscribe and broadcast through. On the way it keeps the
// tracker's Replica of the other nodes' entries, for the presence topics this node has
// subscribers on:
//
//   - presence_diff broadcasts on those topics are read (the other nodes' metas, told by
//     their phx_ref prefix) before the hub gets them;
//   - when a presence topic gains its first subscriber here, this node asks the others
//     for their entries there (`state_req` on the control topic) once the cluster's broker
//     has confirmed the subscription (so every diff after their answer reaches it), and applies the answers
//     (`state`) as a diff to its own sockets: a joiner's presence_state holds what this
//     node knew, and the rest follows as presence_diff;
//   - every `heartbeat` period each node sends a digest (count and hash) of its entries
//     per topic; a node whose replica of another sums up differently has missed a diff
//     (a broker reconnect, a subscription not yet active) and asks that node again;
//   - while the cluster's broker cannot take a diff, this node's own sockets still get it;
//   - a node not heard from for `node_ttl` is gone: its entries leave, as a diff to this
//     node's sockets. A node that stops cleanly says `bye` and leaves at once.
//
// Bound: a dead node's entries leave every other node within node_ttl plus one tick
// (15 s + 1 s by default) of its last message. Control messages travel on kControlTopic,
// which no client or hub publisher can use (their subscribes and publishes to it are
// dropped here), and are never handed to the hub.
#include "core/clock.hpp"
#include "presence/tracker.hpp"
#include "pubsub/broker.hpp"

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace sg::presence {

class ClusterBroker final : public pubsub::Broker {
 public:
  struct Timing {
    std::chrono::seconds heartbeat{5};
    std::chrono::seconds node_ttl{15};  // three heartbeats missed
  };
  static constexpr std::string_view kControlTopic = "sockguard:presence";

  // Takes `inner`'s onMessage and subscribes it to the control topic.
  ClusterBroker(pubsub::Broker& inner, const Clock& clock, Timing timing);
  ClusterBroker(pubsub::Broker& inner, const Clock& clock) : ClusterBroker(inner, clock, Timing{}) {}
  // The tracker whose replica this fills (built over the hub built over this broker).
  // Set once, before the first subscribe.
  void attach(Tracker& tracker) { tracker_ = &tracker; }

  // Broker
  void setOnMessage(OnMessage on_message) override { on_message_ = std::move(on_message); }
  void subscribe(const std::string& topic, Subscribed subscribed) override;
  void unsubscribe(const std::string& topic) override;
  boost::system::result<void> publish(pubsub::BroadcastPtr message) override;
  // The cluster broker's confirmation (the broadcast API waits for it).
  void publishConfirmed(pubsub::BroadcastPtr message, Published done) override;

  // Once a second (any one thread): the heartbeat when due; nodes silent past node_ttl leave.
  void tick();
  // When this node stops: the other nodes drop its entries now rather than after node_ttl.
  void goodbye();

  // Other nodes this node has heard from, for /metrics.
  std::size_t nodes() const;

 private:
  void onInner(pubsub::BroadcastPtr message);
  void onControl(const pubsub::Broadcast& message);
  void onHeartbeat(const std::string& node, const boost::json::object& heartbeat);
  void onStateRequest(const boost::json::object& request);
  void onState(const std::string& node, const boost::json::object& state);
  // `node` is gone: its entries leave, as a diff to this node's sockets.
  void dropNode(const std::string& node);
  void learnDiff(const pubsub::Broadcast& message);
  void sendControl(std::string_view event, boost::json::object payload);
  void requestState(const std::string& topic, std::string_view of);
  // Hands this node's sockets on `topic` a presence_diff (not through the cluster).
  void deliverLocally(const std::string& topic, const Replica::Entries& joins, const Replica::Entries& leaves);
  void seen(const std::string& node);
  bool presenceTopic(const std::string& topic) const { return tracker_ && tracker_->covers(topic); }

  pubsub::Broker& inner_;
  const Clock& clock_;
  const Timing timing_;
  Tracker* tracker_ = nullptr;
  OnMessage on_message_;

  mutable std::mutex mutex_;
  std::unordered_set<std::string> topics_;                  // presence topics subscribed here
  std::unordered_map<std::string, Clock::time_point> nodes_;  // other nodes, last heard from
  Clock::time_point last_heartbeat_{};
};

}  // namespace sg::presence
