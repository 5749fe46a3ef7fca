#pragma once
// Topic fan-out as protocol sessions and the application see it. Subscribers live on
// shards (one thread each); a subscriber is only touched from its own shard, and publish()
// may be called from any thread. Implemented by the node's Hub, which reaches other nodes
// through a Broker.
#include "pubsub/broadcast.hpp"

#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::pubsub {

class Subscriber {
 public:
  virtual ~Subscriber() = default;
  // Called on the subscriber's shard. Must not subscribe or unsubscribe synchronously
  // (the caller is iterating the topic's subscribers); defer such work.
  virtual void deliver(const BroadcastPtr& message) = 0;

 private:
  friend class Hub;
  // Where the hub last put this subscriber in a topic's list: unsubscribing from a topic
  // of a million subscribers is then one comparison, not a scan (a scan when the subscriber
  // has several topics and the hint is another's). A hint only, checked before it is used.
  std::uint32_t hub_slot_ = 0;
};

class PubSub {
 public:
  virtual ~PubSub() = default;
  // Runs on the subscriber's shard once broadcasts published from then on reach it: at
  // once (inline) when this node already gets the topic's broadcasts, later when a
  // cluster's broker has yet to confirm the subscription. An acknowledgement that means
  // "subscribed" (a join reply) waits for it, or a broadcast published right after it on
  // another node could be missed.
  using Ready = std::function<void()>;
  // Shard-local: call only from shard `shard`'s thread. A subscriber subscribes to a topic
  // once (callers keep their own record of what they joined; a second call is a bug).
  // True when broadcasts published from now on already reach it (the usual case: nothing
  // to wait for, and no callback to make); false when whenSubscribed() must be asked.
  virtual bool subscribe(std::size_t shard, const std::string& topic, Subscriber* subscriber) = 0;
  // Runs `ready` (on the shard, inline when already so) once broadcasts on `topic`
  // published from then on reach shard `shard`, which has just subscribed to it.
  virtual void whenSubscribed(std::size_t shard, const std::string& topic, Ready ready) = 0;
  // Both at once, for callers that need not avoid the callback.
  void subscribe(std::size_t shard, const std::string& topic, Subscriber* subscriber, Ready ready) {
    if (subscribe(shard, topic, subscriber)) {
      if (ready) ready();
    } else if (ready) {
      whenSubscribed(shard, topic, std::move(ready));
    }
  }
  virtual void unsubscribe(std::size_t shard, const std::string& topic, Subscriber* subscriber) = 0;
  // Any thread. Delivery is asynchronous, in publish order per publishing thread. Fails
  // (Errc::unavailable) when the broadcast cannot reach every node.
  virtual boost::system::result<void> publish(BroadcastPtr message) = 0;
  // publish() answered once the broadcast is on its way to every node (Broker::publishConfirmed).
  virtual void publishConfirmed(BroadcastPtr message, std::function<void(boost::system::result<void>)> done) = 0;
  // Delivers to this node's subscribers only, not through the broker: for what each node
  // computes for its own sockets (user_count), which no other node must repeat. Any thread.
  virtual void publishLocal(BroadcastPtr message) = 0;
  // True while broadcasts wait for delivery faster than it happens (a backlog past a
  // bound). Publishers that can be told to retry (the HTTP API) should be: the backlog
  // is memory, and latency for every subscriber. Any thread.
  virtual bool overloaded() const = 0;
  // Subscriptions on `shard` to `topic`; shard-local like subscribe().
  virtual std::size_t localSubscribers(std::size_t shard, const std::string& topic) const = 0;
  // Topics starting with `prefix` that have at least one subscriber on this node. Any thread.
  virtual std::vector<std::string> localTopics(std::string_view prefix) const = 0;
};

}  // namespace sg::pubsub
