#include "presence/cluster_broker.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <charconv>
#include <optional>
#include <vector>

namespace sg::presence {
namespace json = boost::json;

namespace {

std::optional<std::string> stringField(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

// A digest on the wire: [count, "hash in hex"] (hex: a 64-bit hash is past what a JSON
// number holds exactly in most readers).
json::array digestJson(const Digest& d) {
  char hex[17];
  auto end = std::to_chars(hex, hex + sizeof hex, d.hash, 16).ptr;
  return json::array{d.count, std::string_view(hex, static_cast<std::size_t>(end - hex))};
}

Digest parseDigest(const json::value* v) {
  Digest d;
  if (!v || !v->is_array() || v->get_array().size() != 2) return d;
  const auto& a = v->get_array();
  if (a[0].is_uint64()) d.count = a[0].get_uint64();
  else if (a[0].is_int64() && a[0].get_int64() >= 0) d.count = static_cast<std::uint64_t>(a[0].get_int64());
  if (a[1].is_string()) {
    auto s = a[1].get_string();
    std::from_chars(s.data(), s.data() + s.size(), d.hash, 16);
  }
  return d;
}

std::vector<const Entry*> pointers(const Replica::Entries& entries) {
  std::vector<const Entry*> out;
  out.reserve(entries.size());
  for (const auto& e : entries) out.push_back(&e);
  return out;
}

}  // namespace

ClusterBroker::ClusterBroker(pubsub::Broker& inner, const Clock& clock, Timing timing)
    : inner_(inner), clock_(clock), timing_(timing) {
  inner_.setOnMessage([this](pubsub::BroadcastPtr message) { onInner(std::move(message)); });
  inner_.subscribe(std::string(kControlTopic), {});
}

void ClusterBroker::subscribe(const std::string& topic, Subscribed subscribed) {
  if (topic == kControlTopic) {  // not the hub's: nothing will come
    if (subscribed) subscribed();
    return;
  }
  if (!presenceTopic(topic)) return inner_.subscribe(topic, std::move(subscribed));
  {
    std::lock_guard lock(mutex_);
    topics_.insert(topic);
  }
  inner_.subscribe(topic, [this, topic, subscribed = std::move(subscribed)] {
    requestState(topic, {});
    if (subscribed) subscribed();
  });
}

void ClusterBroker::unsubscribe(const std::string& topic) {
  if (topic == kControlTopic) return;
  inner_.unsubscribe(topic);
  if (!presenceTopic(topic)) return;
  {
    std::lock_guard lock(mutex_);
    topics_.erase(topic);
  }
  tracker_->replica().dropTopic(topic);
}

void ClusterBroker::publishConfirmed(pubsub::BroadcastPtr message, Published done) {
  if (message->topic() == kControlTopic) return done({});
  // Not a presence_diff (those are published by the tracker, without waiting): passed on.
  inner_.publishConfirmed(std::move(message), std::move(done));
}

boost::system::result<void> ClusterBroker::publish(pubsub::BroadcastPtr message) {
  // A client's or the API's broadcast on the control topic would be believed by every node.
  if (message->topic() == kControlTopic) return {};
  auto sent = inner_.publish(message);
  // A diff of this node's that cannot reach the cluster still reaches this node's own
  // sockets (a cluster broker hands a node its own broadcasts back, so they would miss it
  // too); the other nodes learn it from the next heartbeat that reaches them.
  if (!sent && message->event() == "presence_diff" && presenceTopic(message->topic()) && on_message_) {
    on_message_(std::move(message));
  }
  return sent;
}

void ClusterBroker::onInner(pubsub::BroadcastPtr message) {
  if (message->topic() == kControlTopic) return onControl(*message);
  if (message->event() == "presence_diff" && !message->binary() && presenceTopic(message->topic())) {
    learnDiff(*message);
  }
  if (on_message_) on_message_(std::move(message));
}

void ClusterBroker::learnDiff(const pubsub::Broadcast& message) {
  {
    std::lock_guard lock(mutex_);
    if (!topics_.contains(message.topic())) return;
  }
  boost::system::error_code ec;
  auto diff = json::parse(message.payload(), ec);
  if (ec || !diff.is_object()) return;
  const auto& o = diff.get_object();
  const auto* joins_json = o.if_contains("joins");
  const auto* leaves_json = o.if_contains("leaves");
  auto joins = joins_json ? parsePresences(*joins_json) : Replica::Entries{};
  auto leaves = leaves_json ? parsePresences(*leaves_json) : Replica::Entries{};
  if (!joins || !leaves) return;
  tracker_->replica().applyDiff(message.topic(), tracker_->node(), *joins, *leaves);
  // A diff proves its node alive, and makes a node known that has not sent a heartbeat
  // yet (a forged one never will, and leaves after node_ttl).
  for (const auto* entries : {&*joins, &*leaves}) {
    for (const auto& e : *entries) {
      if (auto node = std::string(nodeOf(e.meta.phx_ref)); node != tracker_->node()) seen(node);
    }
  }
}

void ClusterBroker::onControl(const pubsub::Broadcast& message) {
  if (!tracker_) return;
  boost::system::error_code ec;
  auto parsed = json::parse(message.payload(), ec);
  if (ec || !parsed.is_object()) return;
  const auto& o = parsed.get_object();
  auto node = stringField(o, "node");
  if (!node || *node == tracker_->node()) return;  // our own, back from the broker
  seen(*node);
  const auto& event = message.event();
  if (event == "heartbeat") onHeartbeat(*node, o);
  else if (event == "state_req") onStateRequest(o);
  else if (event == "state") onState(*node, o);
  else if (event == "bye") dropNode(*node);
}

void ClusterBroker::onHeartbeat(const std::string& node, const json::object& heartbeat) {
  const auto* listed = heartbeat.if_contains("topics");
  const auto* digests = listed && listed->is_object() ? &listed->get_object() : nullptr;
  std::vector<std::string> ours;
  {
    std::lock_guard lock(mutex_);
    ours.assign(topics_.begin(), topics_.end());
  }
  // A topic the heartbeat leaves out is one where `node` has no entries.
  for (const auto& topic : ours) {
    Digest theirs = parseDigest(digests ? digests->if_contains(topic) : nullptr);
    if (tracker_->replica().digest(topic, node) != theirs) requestState(topic, node);
  }
}

void ClusterBroker::onStateRequest(const json::object& request) {
  auto topic = stringField(request, "topic");
  auto of = stringField(request, "of");
  if (!topic || (of && *of != tracker_->node()) || !presenceTopic(*topic)) return;
  auto local = tracker_->localEntries(*topic);
  // Asked by name, an empty answer matters (it clears what the asker holds); asked
  // everyone, nodes without entries keep quiet.
  if (local.empty() && !of) return;
  sendControl("state", json::object{{"node", tracker_->node()}, {"topic", *topic}, {"presences", presencesJson(pointers(local))}});
}

void ClusterBroker::onState(const std::string& node, const json::object& state) {
  auto topic = stringField(state, "topic");
  const auto* presences = state.if_contains("presences");
  if (!topic || !presences) return;
  {
    std::lock_guard lock(mutex_);
    if (!topics_.contains(*topic)) return;
  }
  auto entries = parsePresences(*presences);
  if (!entries) return;
  auto change = tracker_->replica().replaceNode(*topic, node, std::move(*entries));
  if (!change.empty()) deliverLocally(*topic, change.joins, change.leaves);
}

void ClusterBroker::dropNode(const std::string& node) {
  {
    std::lock_guard lock(mutex_);
    nodes_.erase(node);
  }
  for (const auto& [topic, left] : tracker_->replica().dropNode(node)) deliverLocally(topic, {}, left);
}

void ClusterBroker::tick() {
  if (!tracker_) return;
  auto now = clock_.now();
  bool beat = false;
  std::vector<std::string> gone;
  {
    std::lock_guard lock(mutex_);
    if (now - last_heartbeat_ >= timing_.heartbeat) {
      last_heartbeat_ = now;
      beat = true;
    }
    for (auto it = nodes_.begin(); it != nodes_.end();) {
      if (now - it->second > timing_.node_ttl) {
        gone.push_back(it->first);
        it = nodes_.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& node : gone) dropNode(node);
  if (beat) {
    json::object topics;
    for (const auto& [topic, digest] : tracker_->digests()) topics[topic] = digestJson(digest);
    sendControl("heartbeat", json::object{{"node", tracker_->node()}, {"topics", std::move(topics)}});
  }
}

void ClusterBroker::goodbye() {
  if (tracker_) sendControl("bye", json::object{{"node", tracker_->node()}});
}

std::size_t ClusterBroker::nodes() const {
  std::lock_guard lock(mutex_);
  return nodes_.size();
}

void ClusterBroker::sendControl(std::string_view event, json::object payload) {
  // Not delivered (the cluster's broker is down): the heartbeats' digests repair it later.
  (void)inner_.publish(std::make_shared<const pubsub::Broadcast>(std::string(kControlTopic), std::string(event),
                                                                 json::serialize(payload), false));
}

void ClusterBroker::requestState(const std::string& topic, std::string_view of) {
  json::object request{{"node", tracker_->node()}, {"topic", topic}};
  if (!of.empty()) request["of"] = of;
  sendControl("state_req", std::move(request));
}

void ClusterBroker::deliverLocally(const std::string& topic, const Replica::Entries& joins,
                                   const Replica::Entries& leaves) {
  if (!on_message_) return;
  on_message_(std::make_shared<const pubsub::Broadcast>(topic, "presence_diff",
                                                        encodeDiff(pointers(joins), pointers(leaves)), false));
}

void ClusterBroker::seen(const std::string& node) {
  std::lock_guard lock(mutex_);
  nodes_[node] = clock_.now();
}

}  // namespace sg::presence
