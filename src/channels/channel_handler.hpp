#pragma once
// What a channel does with the events pushed to it once joined. Handlers see events and
// JSON payloads, never wire frames; the Phoenix socket layer above does the framing.
#include "channels/topic_pattern.hpp"
#include "core/identity.hpp"
#include "pubsub/broadcast.hpp"

#include <boost/json/value.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sg::channels {

struct Reply;

// An answer a handler gives later (after a store lookup, a GraphQL execution). send()
// once, from any thread; it reaches the socket's shard, and is dropped when the socket
// has gone meanwhile.
class PendingReply {
 public:
  using Sender = std::function<void(Reply)>;
  explicit PendingReply(Sender sender) : sender_(std::move(sender)) {}
  void send(Reply reply);

 private:
  Sender sender_;
};

// Where the connection comes from, for handlers that act for it (a ticket minted over a
// socket is bound to its address and Origin, as one minted over HTTP is).
struct Peer {
  std::string client_ip;
  std::string origin;      // "" when the upgrade had none
  std::string socket_url;  // the socket endpoint, as the client reached it
};

// A relay a handler starts with its reply (Reply::relay): broadcasts on `source` (a topic
// the client has not joined) reach the socket as what `transform` makes of them, a message
// on a topic of the handler's choosing (Absinthe: a GraphQL result as `subscription:data`
// on the subscription's id). `transform` runs on the socket's shard, `shard` naming it;
// returning the same message for every socket relaying the same thing lets the socket
// encode it once per wire format, as it does broadcasts; null sends nothing. A relay lives
// until ChannelContext::stopRelay(id), until the join that started it ends, or the socket.
struct Relay {
  using Transform = std::function<pubsub::BroadcastPtr(const pubsub::BroadcastPtr& message, std::size_t shard)>;
  std::string id;      // unique per socket; starting an id that runs keeps the running one
  std::string source;  // the topic listened to
  Transform transform;
};

// What a handler can do on behalf of the socket that pushed to it.
class ChannelContext {
 public:
  virtual ~ChannelContext() = default;
  virtual const Identity& identity() const = 0;
  virtual const std::string& topic() const = 0;
  virtual const TopicParams& params() const = 0;
  // Sends an event to this socket only.
  virtual void push(std::string_view event, const boost::json::value& payload) = 0;
  // Sends an event to every socket joined to `topic`, this one included.
  virtual void broadcast(const std::string& topic, const std::string& event,
                         const boost::json::value& payload) = 0;
  virtual void broadcastBinary(const std::string& topic, const std::string& event,
                               std::string bytes) = 0;
  // Answers the current event later: return Reply::later() and send the answer through
  // the PendingReply when it is known.
  virtual PendingReply deferReply() = 0;
  // Server-chosen subscriptions: broadcasts on `topic` reach this socket (as pushes on
  // `topic`) without the client joining it, until unsubscribe() or the socket's end.
  virtual void subscribe(const std::string& topic) = 0;
  virtual void unsubscribe(const std::string& topic) = 0;
  // Stops the relay `id` (see Relay); false when none runs.
  virtual bool stopRelay(std::string_view id) = 0;
  // Made when asked (a handler that needs it asks once per event at most).
  virtual Peer peer() const = 0;
  // Runs a task on this socket's shard later, unless the socket has ended by then: the way
  // back from asynchronous work an event started. Safe to keep and call from any thread.
  using Poster = std::function<void(std::function<void()>)>;
  virtual Poster poster() = 0;
};

struct Reply {
  bool ok = true;
  boost::json::value response = boost::json::object{};
  std::optional<std::string> binary_response;  // reply with a binary frame (V2 only)
  bool deferred = false;                       // answered later through a PendingReply
  // Started as this ok reply is sent, if the join that asked for it still holds. A socket
  // runs at most as many relays as it may join topics; past that the reply becomes the
  // error {"reason": "too many subscriptions"}.
  std::shared_ptr<const Relay> relay = nullptr;
  // The response as JSON text already made (a GraphQL result): sent as it is, never parsed
  // back into `response` to be serialized again. Wins over `response`.
  std::optional<std::string> response_json;

  static Reply okWith(boost::json::value v) { return Reply{true, std::move(v), {}, false, nullptr, {}}; }
  // `json` must be one serialized JSON value (the caller made it with a JSON writer).
  static Reply okWithJson(std::string json) { return Reply{true, nullptr, {}, false, nullptr, std::move(json)}; }
  static Reply okBinary(std::string bytes) { return Reply{true, nullptr, std::move(bytes), false, nullptr, {}}; }
  static Reply error(std::string_view reason) {
    return Reply{false, boost::json::object{{"reason", reason}}, {}, false, nullptr, {}};
  }
  static Reply later() { return Reply{true, nullptr, {}, true, nullptr, {}}; }
};

inline void PendingReply::send(Reply reply) {
  if (!sender_) return;
  auto sender = std::move(sender_);
  sender_ = nullptr;
  sender(std::move(reply));
}

struct InboundEvent {
  std::string_view event;
  const boost::json::value& payload;                 // null for binary pushes
  const std::optional<std::string>& binary_payload;  // set for binary pushes
};

class ChannelHandler {
 public:
  virtual ~ChannelHandler() = default;
  // After the join rule allowed the join: the ok reply's response, or an error reply.
  virtual Reply onJoin(ChannelContext& ctx, const boost::json::value& payload) {
    return Reply::okWith(boost::json::object{});
  }
  // A push on a joined topic; the reply is sent when the push carries a ref.
  virtual Reply onEvent(ChannelContext& ctx, const InboundEvent& in) = 0;
};

}  // namespace sg::channels
