#pragma once
// One Phoenix Channels connection after the upgrade: decodes frames, answers heartbeats,
// joins and leaves topics under the registry's rules, dispatches pushes to channel
// handlers, and forwards broadcasts of joined topics. Lives on one shard; no I/O of its
// own (frames go out through Transport).
#include "channels/channel_registry.hpp"
#include "core/identity.hpp"
#include "obs/metrics.hpp"
#include "protocol/phoenix_codec.hpp"
#include "protocol/transport.hpp"
#include "pubsub/pubsub.hpp"

#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sg::presence {
class Tracker;
}

namespace sg::protocol {

struct PhoenixSocketLimits {
  int max_topics = 100;
};

// What the socket asks of the session that owns it. Events on topic "phoenix" other than
// heartbeat ("auth", "refresh_token") go to the session's authentication, which answers
// through `reply`, now or later (on the shard). peer() is where the connection comes from,
// for channel handlers (ChannelContext::peer): made when a handler asks, from what the
// session keeps anyway, rather than a copy in every idle socket.
using ControlReply = std::function<void(channels::Reply)>;
class ControlHandler {
 public:
  virtual void onControl(std::string_view event, const boost::json::value& payload, ControlReply reply) = 0;
  virtual channels::Peer peer() const = 0;

 protected:
  ~ControlHandler() = default;
};

class PhoenixSocket final : public pubsub::Subscriber {
 public:
  // Shared by every socket of a server; a socket keeps a reference (it outlives them).
  struct Deps {
    const channels::ChannelRegistry& registry;
    pubsub::PubSub& pubsub;
    obs::Metrics& metrics;
    // Presence on the topics it covers; none when channels.presence_topics is empty.
    presence::Tracker* presence = nullptr;
  };

  // `identity` is the connection's, owned by its authentication (it changes when a bare
  // socket authenticates or a refresh extends it) and outlives this socket. `shard` is
  // the connection's.
  PhoenixSocket(phoenix::Version version, const Identity& identity, const Deps& deps, std::size_t shard,
                Transport& transport, PhoenixSocketLimits limits);
  ~PhoenixSocket() override;  // leaves every joined topic
  PhoenixSocket(const PhoenixSocket&) = delete;
  PhoenixSocket& operator=(const PhoenixSocket&) = delete;

  void onText(std::string_view frame);
  void onBinary(std::string_view frame);
  // Sends one message outside any channel (e.g. connect_error on topic "phoenix").
  void sendControl(std::string_view event, const boost::json::value& payload);

  // `handler` outlives this socket (the session that owns both).
  void setControlHandler(ControlHandler* handler) { control_ = handler; }
  // While pending, only topic "phoenix" (heartbeat, auth) is served; any other message
  // closes the socket with missing_credentials (first-message auth, DESIGN §3).
  void setAuthPending(bool pending) { auth_pending_ = pending; }
  bool authPending() const { return auth_pending_; }
  const Identity& identity() const { return identity_; }
  phoenix::Version version() const { return version_; }
  Transport& transport() const { return transport_; }
  std::size_t joinedCount() const { return joined_.size(); }
  // Unsubscribes from everything; the socket stays usable for sending a close.
  void leaveAll();
  // Answers `to` (a push or a control event) with `r`; for replies given later.
  void reply(const phoenix::Message& to, const channels::Reply& r);

  // pubsub::Subscriber
  void deliver(const pubsub::BroadcastPtr& message) override;

 private:
  struct Joined {
    std::string topic;
    std::string join_ref;
    bool join_ref_number;  // the client sent it as a JSON integer: it goes back as one
    // Null when the topic's pattern has no parameters (most): an empty vector would take
    // 24 bytes in every joined topic of every socket.
    std::unique_ptr<const channels::TopicParams> params;
    channels::ChannelHandler* handler;
  };
  class Context;
  // What only some channels use (relays, server-chosen topics), made on first use: an
  // idle socket of the other channels pays one pointer for it.
  struct Extras;
  Extras& extras();
  channels::PendingReply pendingReply(const phoenix::Message& to);
  void subscribeServerTopic(const std::string& topic);
  void unsubscribeServerTopic(const std::string& topic);
  // A reply that carries a relay: starts it, and answers once its topic is subscribed (or
  // with an error when the socket runs too many).
  void replyOnceRelaying(const phoenix::Message& to, const channels::Reply& r);
  void sendReply(const phoenix::Message& to, const channels::Reply& r);

  void dispatch(phoenix::Message& message);
  void handleJoin(phoenix::Message& message);
  void join(phoenix::Message& message);
  // The join's topic is subscribed: the ok reply, then presence.
  void joinConfirmed(const Joined& joined, const phoenix::Message& to, const channels::Reply& r, std::string client,
                     bool with_presence);
  // After the join reply: tracks this socket on a presence topic and sends presence_state.
  void joinPresence(const Joined& joined, std::string client);
  void leavePresence(const std::string& topic);
  void handleLeave(phoenix::Message& message);
  void handleEvent(phoenix::Message& message);
  void handleControl(phoenix::Message& message);
  Joined* findJoined(std::string_view topic);
  void removeJoined(Joined* joined);

  void replyError(const phoenix::Message& to, std::string_view reason);
  void sendText(std::string frame);
  void sendBinary(std::string frame);

  // Every idle socket holds one of these, so the small fields are packed: limits_ first,
  // into the 4 bytes pubsub::Subscriber leaves free after its slot hint, and the others
  // together at the end.
  PhoenixSocketLimits limits_;
  const Identity& identity_;
  const Deps& deps_;
  Transport& transport_;
  ControlHandler* control_ = nullptr;
  // Most sockets join one topic: it lives here rather than in a block of its own (one
  // allocation fewer per join, and fewer bytes than a vector's block once joined).
  boost::container::small_vector<Joined, 1> joined_;
  std::unique_ptr<Extras> extras_;  // null until a channel subscribes or relays
  std::uint32_t shard_;             // shards are a few per core
  phoenix::Version version_;
  bool auth_pending_ = false;
};

}  // namespace sg::protocol
