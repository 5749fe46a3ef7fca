#include "protocol/phoenix_socket.hpp"

#include "core/encoding.hpp"
#include "core/text.hpp"
#include "presence/tracker.hpp"
#include "protocol/phoenix_relays.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace sg::protocol {
namespace json = boost::json;
using phoenix::Version;

namespace {
constexpr std::string_view kControlTopic = "phoenix";

// Phoenix's encodings of a broadcast, a slot each in every broadcast's cache.
struct Codecs {
  pubsub::CodecId v1_text = pubsub::registerCodec("phoenix.v1");
  pubsub::CodecId v2_text = pubsub::registerCodec("phoenix.v2");
  pubsub::CodecId v2_binary = pubsub::registerCodec("phoenix.v2.binary");
};
const Codecs& codecs() {
  static const Codecs ids;
  return ids;
}

// What a reply given later needs of the message it answers: its refs and topic (not its
// payload).
phoenix::Message envelopeOf(const phoenix::Message& to) {
  phoenix::Message envelope;
  envelope.join_ref = to.join_ref;
  envelope.ref = to.ref;
  envelope.join_ref_number = to.join_ref_number;
  envelope.ref_number = to.ref_number;
  envelope.topic = to.topic;
  return envelope;
}
}

struct PhoenixSocket::Extras {
  Extras(pubsub::PubSub& pubsub, std::size_t shard, pubsub::Subscriber& out) : relays(pubsub, shard, out) {}
  std::vector<std::string> server_topics;  // subscriptions a channel chose (ChannelContext::subscribe)
  PhoenixRelays relays;                    // relays channels started (channels::Relay)
};

PhoenixSocket::Extras& PhoenixSocket::extras() {
  if (!extras_) extras_ = std::make_unique<Extras>(deps_.pubsub, shard_, *this);
  return *extras_;
}

// The view a channel handler gets of this socket while it handles one event.
class PhoenixSocket::Context final : public channels::ChannelContext {
 public:
  Context(PhoenixSocket& socket, const Joined& joined, const phoenix::Message* message)
      : socket_(socket), joined_(joined), message_(message) {}

  const Identity& identity() const override { return socket_.identity_; }
  const std::string& topic() const override { return joined_.topic; }
  const channels::TopicParams& params() const override {
    static const channels::TopicParams none;
    return joined_.params ? *joined_.params : none;
  }

  void push(std::string_view event, const json::value& payload) override {
    phoenix::Envelope envelope{joined_.join_ref, std::nullopt, joined_.topic, event};
    envelope.join_ref_number = joined_.join_ref_number;
    socket_.sendText(phoenix::encodeText(socket_.version_, envelope, payload));
  }
  void broadcast(const std::string& topic, const std::string& event, const json::value& payload) override {
    publish(topic, event, json::serialize(payload), false);
  }
  void broadcastBinary(const std::string& topic, const std::string& event, std::string bytes) override {
    publish(topic, event, std::move(bytes), true);
  }
  channels::PendingReply deferReply() override { return socket_.pendingReply(*message_); }
  void subscribe(const std::string& topic) override { socket_.subscribeServerTopic(topic); }
  void unsubscribe(const std::string& topic) override { socket_.unsubscribeServerTopic(topic); }
  bool stopRelay(std::string_view id) override { return socket_.extras_ && socket_.extras_->relays.stop(id); }
  channels::Peer peer() const override { return socket_.control_ ? socket_.control_->peer() : channels::Peer{}; }
  Poster poster() override { return socket_.transport_.poster(); }

 private:
  void publish(const std::string& topic, const std::string& event, std::string payload, bool binary) {
    obs::inc(socket_.deps_.metrics.broadcasts);
    // A channel's own broadcast that cannot reach other nodes is dropped, as a push to a
    // closed socket is: the channel is told nothing either way (Phoenix's broadcast! raises).
    (void)socket_.deps_.pubsub.publish(std::make_shared<const pubsub::Broadcast>(topic, event, std::move(payload), binary));
  }

  PhoenixSocket& socket_;
  const Joined& joined_;
  const phoenix::Message* message_;  // the event being handled
};

channels::PendingReply PhoenixSocket::pendingReply(const phoenix::Message& to) {
  // The answer may be sent from any thread and after the socket has gone: it carries a
  // copy of the envelope, comes back through the transport's shard, and touches this
  // socket only while the connection that owns it lives.
  return channels::PendingReply(
      [post = transport_.poster(), alive = transport_.lifetime(), this, envelope = envelopeOf(to)](channels::Reply r) mutable {
        post([alive, this, envelope = std::move(envelope), r = std::move(r)] {
          if (auto live = alive.lock(); live && envelope.ref) reply(envelope, r);
        });
      });
}

void PhoenixSocket::subscribeServerTopic(const std::string& topic) {
  auto& topics = extras().server_topics;
  if (std::find(topics.begin(), topics.end(), topic) != topics.end()) return;
  deps_.pubsub.subscribe(shard_, topic, this);
  topics.push_back(topic);
}

void PhoenixSocket::unsubscribeServerTopic(const std::string& topic) {
  if (!extras_) return;
  auto& topics = extras_->server_topics;
  auto it = std::find(topics.begin(), topics.end(), topic);
  if (it == topics.end()) return;
  deps_.pubsub.unsubscribe(shard_, topic, this);
  topics.erase(it);
}

PhoenixSocket::PhoenixSocket(Version version, const Identity& identity, const Deps& deps, std::size_t shard,
                             Transport& transport, PhoenixSocketLimits limits)
    : limits_(limits), identity_(identity), deps_(deps), transport_(transport), shard_(static_cast<std::uint32_t>(shard)),
      version_(version) {}

PhoenixSocket::~PhoenixSocket() { leaveAll(); }

void PhoenixSocket::leaveAll() {
  for (auto& j : joined_) {
    deps_.pubsub.unsubscribe(shard_, j.topic, this);
    leavePresence(j.topic);
  }
  joined_.clear();
  if (!extras_) return;
  for (auto& topic : extras_->server_topics) deps_.pubsub.unsubscribe(shard_, topic, this);
  extras_->server_topics.clear();
  extras_->relays.stopAll();
}

void PhoenixSocket::onText(std::string_view frame) {
  obs::inc(deps_.metrics.messages_in);
  phoenix::Message message;
  if (!phoenix::decodeText(version_, frame, message)) return transport_.close(CloseReason::PolicyViolation);
  dispatch(message);
}

void PhoenixSocket::onBinary(std::string_view frame) {
  obs::inc(deps_.metrics.messages_in);
  // V1 has no binary format.
  if (version_ != Version::V2) return transport_.close(CloseReason::PolicyViolation);
  auto decoded = phoenix::decodeBinary(frame);
  if (!decoded) return transport_.close(CloseReason::PolicyViolation);
  dispatch(*decoded);
}

void PhoenixSocket::dispatch(phoenix::Message& m) {
  if (m.topic == kControlTopic) return handleControl(m);
  if (auth_pending_) return transport_.close(CloseReason::MissingCredentials);
  if (m.event == "phx_join") return handleJoin(m);
  if (m.event == "phx_leave") return handleLeave(m);
  handleEvent(m);
}

void PhoenixSocket::handleControl(phoenix::Message& m) {
  if (m.event == "heartbeat") return reply(m, channels::Reply::okWith(json::object{}));
  if (control_ && !m.binary_payload) {
    // The answer may come later (a store round trip); the socket may be gone by then.
    return control_->onControl(m.event, m.payload,
                    [alive = transport_.lifetime(), this, envelope = envelopeOf(m)](channels::Reply r) {
                      if (auto live = alive.lock()) reply(envelope, r);
                    });
  }
  replyError(m, "unknown event");
}

void PhoenixSocket::handleJoin(phoenix::Message& m) {
  // The client sets join_ref = ref on a join; V1 clients may omit join_ref.
  if (!m.join_ref) {
    m.join_ref = m.ref;
    m.join_ref_number = m.ref_number;
  }
  Joined* old = findJoined(m.topic);
  if (!old) return join(m);
  // A second join of the same topic replaces the first, as in Phoenix: the old join ends
  // before the new one is tried (whatever its outcome), and its phx_close follows the new
  // join's reply, the order Phoenix's socket sends them in (the close is queued to itself).
  // The client ignores that close unless it still holds the old join_ref.
  phoenix::Envelope close{std::nullopt, std::nullopt, m.topic, "phx_close"};
  std::string old_ref = old->join_ref;
  close.join_ref = close.ref = old_ref;
  close.join_ref_number = close.ref_number = old->join_ref_number;
  removeJoined(old);
  join(m);
  sendText(phoenix::encodeText(version_, close, std::string_view("{}")));
}

void PhoenixSocket::join(phoenix::Message& m) {
  auto refuse = [&](std::string_view reason) {
    obs::inc(deps_.metrics.joins_error);
    replyError(m, reason);
  };
  auto resolved = deps_.registry.resolve(m.topic);
  if (!resolved) {
    // Phoenix answers an unmatched topic without a join_ref.
    obs::inc(deps_.metrics.joins_error);
    phoenix::Message unmatched = m;
    unmatched.join_ref.reset();
    return replyError(unmatched, "unmatched topic");
  }
  if (!resolved->spec->rule(identity_, resolved->params)) return refuse("unauthorized");
  // The join's `client` parameter names this connection's client in its presence meta.
  std::string client;
  const bool with_presence = deps_.presence && deps_.presence->covers(m.topic);
  if (with_presence && m.payload.is_object()) {
    if (const auto* c = m.payload.get_object().if_contains("client")) {
      if (!c->is_string() || !presence::Tracker::validClient(c->get_string())) return refuse("invalid client");
      client = std::string(c->get_string());
    }
  }
  if (static_cast<int>(joined_.size()) >= limits_.max_topics) return refuse("too many channels joined");

  auto params = resolved->params.empty() ? nullptr
                                         : std::make_unique<const channels::TopicParams>(std::move(resolved->params));
  Joined joined{m.topic, m.join_ref.value_or(""), m.join_ref_number, std::move(params), resolved->spec->handler.get()};
  Context ctx(*this, joined, &m);
  channels::Reply r = joined.handler->onJoin(ctx, m.payload);
  // A join is answered at once: the channel's state begins with the reply.
  if (r.deferred) r = channels::Reply::error("join cannot be deferred");
  if (!r.ok) {
    obs::inc(deps_.metrics.joins_error);
    return reply(m, r);
  }
  joined_.push_back(std::move(joined));
  // The reply says "subscribed": it waits until broadcasts published from now on reach this
  // node (at once on one node; in a cluster, once Redis has confirmed the subscription), so
  // that a broadcast sent on another node right after the reply is not missed. The usual
  // case, a topic the node already has, answers here without a callback to allocate.
  const std::string& topic = joined_.back().topic;
  if (deps_.pubsub.subscribe(shard_, topic, this)) return joinConfirmed(joined_.back(), m, r, std::move(client), with_presence);
  deps_.pubsub.whenSubscribed(shard_, topic,
                              [this, alive = transport_.lifetime(), to = envelopeOf(m), r = std::move(r),
                               client = std::move(client), with_presence]() mutable {
                                auto live = alive.lock();
                                const Joined* now = live ? findJoined(to.topic) : nullptr;
                                // Left, or replaced by a newer join, meanwhile: that one answers.
                                if (!now || now->join_ref != to.join_ref.value_or("")) return;
                                joinConfirmed(*now, to, r, std::move(client), with_presence);
                              });
}

void PhoenixSocket::joinConfirmed(const Joined& joined, const phoenix::Message& to, const channels::Reply& r,
                                  std::string client, bool with_presence) {
  obs::inc(deps_.metrics.joins_ok);
  reply(to, r);
  if (with_presence) joinPresence(joined, std::move(client));
}

void PhoenixSocket::joinPresence(const Joined& joined, std::string client) {
  // Tracked first, then the state read, as Phoenix apps do (track, then push the list):
  // the state holds this socket too. The socket is already subscribed, so every diff
  // published after the read reaches it after the state; one published before it may
  // arrive after it too, and the client's Presence takes it again by phx_ref.
  // Anonymous sockets see who is there but are not listed (they have no key).
  if (!identity_.anonymous()) deps_.presence->track(joined.topic, this, identity_.user_id, std::move(client));
  sendText(phoenix::encodeText(version_, phoenix::Envelope{joined.join_ref, std::nullopt, joined.topic, "presence_state"},
                               std::string_view(deps_.presence->state(joined.topic))));
}

void PhoenixSocket::leavePresence(const std::string& topic) {
  if (deps_.presence && deps_.presence->covers(topic)) deps_.presence->untrack(topic, this);
}

void PhoenixSocket::handleLeave(phoenix::Message& m) {
  Joined* joined = findJoined(m.topic);
  // Nothing to leave (never joined): answered ok, as Phoenix does. The stock client leaves
  // every channel whose join was refused and expects ok.
  if (!joined) return reply(m, channels::Reply::okWith(json::object{}));
  // A leave for an earlier join of the topic raced the server's close of it: Phoenix
  // ignores it (that close was already sent), and it must not end the current join.
  if (m.join_ref && *m.join_ref != joined->join_ref) return;
  phoenix::Envelope close{std::nullopt, std::nullopt, m.topic, "phx_close"};
  std::string join_ref = joined->join_ref;
  close.join_ref = close.ref = join_ref;
  close.join_ref_number = close.ref_number = joined->join_ref_number;
  removeJoined(joined);
  reply(m, channels::Reply::okWith(json::object{}));
  sendText(phoenix::encodeText(version_, close, std::string_view("{}")));
}

void PhoenixSocket::handleEvent(phoenix::Message& m) {
  Joined* joined = findJoined(m.topic);
  if (!joined) {
    // A push for a topic this socket has not joined: Phoenix answers without a join_ref.
    phoenix::Message unmatched = m;
    unmatched.join_ref.reset();
    return replyError(unmatched, "unmatched topic");
  }
  // A push for an earlier join of the topic is stale: Phoenix ignores it.
  if (m.join_ref && *m.join_ref != joined->join_ref) return;
  // On a presence topic the presence events are the server's: a client's would reach
  // everyone's Presence through a channel that broadcasts what it is given.
  if ((m.event == "presence_state" || m.event == "presence_diff") && deps_.presence && deps_.presence->covers(m.topic)) {
    return replyError(m, "reserved event");
  }
  // The reply carries the channel's join_ref, as Phoenix's channel server answers with its
  // own (a V1 client, or a raw one, may push without it).
  m.join_ref = joined->join_ref;
  m.join_ref_number = joined->join_ref_number;
  Context ctx(*this, *joined, &m);
  channels::Reply r = joined->handler->onEvent(ctx, channels::InboundEvent{m.event, m.payload, m.binary_payload});
  if (m.ref && !r.deferred) reply(m, r);
}

PhoenixSocket::Joined* PhoenixSocket::findJoined(std::string_view topic) {
  auto it = std::find_if(joined_.begin(), joined_.end(), [&](const Joined& j) { return j.topic == topic; });
  return it == joined_.end() ? nullptr : &*it;
}

void PhoenixSocket::removeJoined(Joined* joined) {
  deps_.pubsub.unsubscribe(shard_, joined->topic, this);
  leavePresence(joined->topic);
  if (extras_) extras_->relays.stopOwnedBy(joined->topic, joined->join_ref);
  joined_.erase(joined_.begin() + (joined - joined_.data()));
}

void PhoenixSocket::reply(const phoenix::Message& to, const channels::Reply& r) {
  if (r.ok && r.relay) return replyOnceRelaying(to, r);
  sendReply(to, r);
}

void PhoenixSocket::replyOnceRelaying(const phoenix::Message& to, const channels::Reply& r) {
  Joined* joined = findJoined(to.topic);
  // The join that asked has ended meanwhile (left, or replaced by a new join): its relays
  // ended with it, so this one does not start. The reply still goes; the client drops it.
  if (!joined || (to.join_ref && *to.join_ref != joined->join_ref)) return sendReply(to, r);
  auto max = static_cast<std::size_t>(std::max(limits_.max_topics, 0));
  // As a join reply, this one says "subscribed": it waits for the relay's subscription.
  auto started = extras().relays.start(r.relay, joined->topic, joined->join_ref, max,
                               [this, alive = transport_.lifetime(), to = envelopeOf(to), r] {
                                 if (auto live = alive.lock()) sendReply(to, r);
                               });
  if (started == PhoenixRelays::Start::TooMany) sendReply(to, channels::Reply::error("too many subscriptions"));
}

void PhoenixSocket::sendReply(const phoenix::Message& to, const channels::Reply& r) {
  std::string_view status = r.ok ? "ok" : "error";
  if (r.binary_response && version_ == Version::V2) {
    return sendBinary(phoenix::encodeBinaryReply(to.join_ref.value_or(""), to.ref.value_or(""), to.topic, status,
                                                 *r.binary_response));
  }
  phoenix::Envelope envelope{to.join_ref, to.ref, to.topic, {}};
  envelope.join_ref_number = to.join_ref_number;
  envelope.ref_number = to.ref_number;
  if (r.response_json) return sendText(phoenix::encodeReply(version_, envelope, status, std::string_view(*r.response_json)));
  sendText(phoenix::encodeReply(version_, envelope, status, r.response));
}

void PhoenixSocket::replyError(const phoenix::Message& to, std::string_view reason) {
  reply(to, channels::Reply::error(reason));
}

void PhoenixSocket::sendControl(std::string_view event, const json::value& payload) {
  sendText(phoenix::encodeText(version_, phoenix::Envelope{std::nullopt, std::nullopt, kControlTopic, event}, payload));
}

void PhoenixSocket::sendText(std::string frame) {
  obs::inc(deps_.metrics.messages_out);
  transport_.send(std::make_shared<const std::string>(std::move(frame)), false);
}

void PhoenixSocket::sendBinary(std::string frame) {
  obs::inc(deps_.metrics.messages_out);
  transport_.send(std::make_shared<const std::string>(std::move(frame)), true);
}

void PhoenixSocket::deliver(const pubsub::BroadcastPtr& b) {
  if (b->binary()) {
    if (version_ == Version::V2) {
      const auto& frame = b->encoded(codecs().v2_binary, [&] {
        return phoenix::encodeBinaryBroadcast(b->topic(), b->event(), b->payload());
      });
      obs::inc(deps_.metrics.messages_out);
      transport_.send(frame, true);
      return;
    }
    // V1 has no binary frames (Phoenix's V1 serializer cannot encode them at all): the
    // bytes go as base64 in a text broadcast, {"payload_base64": "..."}, as the HTTP API
    // takes them, so a V1 client still gets every broadcast of its topics.
    const auto& frame = b->encoded(codecs().v1_text, [&] {
      std::string payload = "{\"payload_base64\":";
      appendJsonString(payload, base64Encode(b->payload()));
      payload.push_back('}');
      return phoenix::encodeText(version_, phoenix::Envelope{std::nullopt, std::nullopt, b->topic(), b->event()},
                                 std::string_view(payload));
    });
    obs::inc(deps_.metrics.messages_out);
    transport_.send(frame, false);
    return;
  }
  auto format = version_ == Version::V2 ? codecs().v2_text : codecs().v1_text;
  const auto& frame = b->encoded(format, [&] {
    return phoenix::encodeText(version_, phoenix::Envelope{std::nullopt, std::nullopt, b->topic(), b->event()},
                               std::string_view(b->payload()));
  });
  obs::inc(deps_.metrics.messages_out);
  transport_.send(frame, false);
}

}  // namespace sg::protocol
