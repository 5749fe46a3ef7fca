// presence::ClusterBroker fed what other nodes (or a forger with the server API key) can
// put on the cluster: control messages and presence_diff broadcasts, one per line as
// `topic<TAB>event<TAB>payload` (topic `-` is the control topic), with `tick` lines moving
// time by a second and `track N` / `untrack N` lines for this node's own sockets. Never
// throws; the state a joiner would get is always a well-formed presences object with one
// phx_ref per meta, this node's own entries are never lost or doubled by anything another
// node says, and every diff handed to this node's sockets reads back as presences.
#include "fuzz_support.hpp"
#include "presence/cluster_broker.hpp"
#include "pubsub/hub.hpp"

#include <boost/json/parse.hpp>

#include <set>
#include <string>

namespace {

using namespace sg;
namespace json = boost::json;

class Inner final : public pubsub::Broker {
 public:
  void setOnMessage(OnMessage on_message) override { on_message_ = std::move(on_message); }
  void subscribe(const std::string&, Subscribed subscribed) override {
    if (subscribed) subscribed();
  }
  void unsubscribe(const std::string&) override {}
  boost::system::result<void> publish(pubsub::BroadcastPtr message) override {
    published.push_back(std::move(message));
    return {};
  }
  OnMessage on_message_;
  std::vector<pubsub::BroadcastPtr> published;
};

// This node's sockets: the diffs the node made itself must read back (what the fuzzer
// injected is passed through as it came, and is not checked).
class Sockets final : public pubsub::Subscriber {
 public:
  void deliver(const pubsub::BroadcastPtr& m) override {
    if (m->event() != "presence_diff" || m.get() == injected) return;
    auto diff = json::parse(m->payload());
    FUZZ_CHECK(presence::parsePresences(diff.at("joins")).has_value());
    FUZZ_CHECK(presence::parsePresences(diff.at("leaves")).has_value());
  }
  const pubsub::Broadcast* injected = nullptr;
};

// The joiner's state for `topic`: every ref once; returns the number of this node's metas.
std::size_t checkState(const presence::Tracker& tracker, const std::string& topic) {
  auto state = json::parse(tracker.state(topic));
  auto entries = presence::parsePresences(state);
  FUZZ_CHECK(entries.has_value());
  std::set<std::string> refs;
  std::size_t own = 0;
  for (const auto& e : *entries) {
    FUZZ_CHECK(refs.insert(e.meta.phx_ref).second);
    if (presence::nodeOf(e.meta.phx_ref) == tracker.node()) ++own;
  }
  return own;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ManualClock clock;
  Inner inner;
  presence::ClusterBroker broker(inner, clock);
  pubsub::Hub hub({[](std::function<void()> task) { task(); }}, broker);
  presence::Tracker tracker(*presence::Tracker::parseTopics({"room:*"}, nullptr), hub, clock, "SELFNODE");
  broker.attach(tracker);
  Sockets sockets;
  const std::string topics[] = {"room:1", "room:2"};
  for (const auto& t : topics) hub.subscribe(0, t, &sockets);
  int owners[8] = {};
  std::size_t tracked = 0;
  std::set<int> live;

  for (auto line : sg::fuzz::split(sg::fuzz::view(data, size))) {
    if (line == "tick") {
      clock.advance(std::chrono::seconds(1));
      broker.tick();
    } else if (line.starts_with("track ") || line.starts_with("untrack ")) {
      bool track = line[0] == 't';
      int n = (line.back() - '0') & 7;
      const auto& topic = topics[n & 1];
      if (track) {
        tracker.track(topic, &owners[n], "user" + std::to_string(n), "");
        if (live.insert(n).second) ++tracked;
      } else {
        tracker.untrack(topic, &owners[n]);
        if (live.erase(n)) --tracked;
      }
    } else {
      auto parts = sg::fuzz::split(line, '\t');
      if (parts.size() != 3) continue;
      std::string topic = parts[0] == "-" ? std::string(presence::ClusterBroker::kControlTopic) : std::string(parts[0]);
      auto message = std::make_shared<const pubsub::Broadcast>(topic, std::string(parts[1]), std::string(parts[2]), false);
      sockets.injected = message.get();
      inner.on_message_(message);
      sockets.injected = nullptr;
    }
    std::size_t own = 0;
    for (const auto& t : topics) own += checkState(tracker, t);
    FUZZ_CHECK(own == tracked);
    FUZZ_CHECK(tracker.size() == tracked);
  }
  return 0;
}
