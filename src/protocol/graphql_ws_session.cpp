#include "protocol/graphql_ws_session.hpp"

#include "auth/session_cookie.hpp"
#include "core/errors.hpp"
#include "obs/audit.hpp"
#include "obs/log_throttle.hpp"
#include "protocol/session_auth.hpp"

#include <boost/json/serialize.hpp>

namespace sg::protocol {
namespace json = boost::json;
namespace gws = graphql_ws;

Ending graphqlWsEnding(CloseReason reason, std::optional<int> retry_after_ms) {
  const auto& info = closeInfo(reason);
  auto named = [&](std::uint16_t code) { return Ending{std::nullopt, code, std::string(info.name)}; };
  switch (reason) {
    case CloseReason::BadRequest:
    case CloseReason::PolicyViolation:
      return named(4400);  // Bad request: the client would send the same again
    case CloseReason::MissingCredentials:
    case CloseReason::TokenInvalid:
    case CloseReason::TokenExpired:
    case CloseReason::BindingMismatch:
    case CloseReason::SessionRevoked:
      // Unauthorized: fatal for graphql-ws; a new credential means a new client.
      return named(4401);
    case CloseReason::ForbiddenOrigin:
      // Not 4403, which graphql-ws retries ("might grant access after retry"): from a
      // foreign page a retry never helps. 1008 (policy violation) is fatal to it.
      return named(1008);
    case CloseReason::AuthTimeout:
      return Ending{std::nullopt, 4408, "Connection initialisation timeout"};
    case CloseReason::RateLimited:
    case CloseReason::ServerBusy: {
      // 4429 means "too many initialisation requests" here, and is fatal: 1013 (try again
      // later) is retried, and the reason says after how long.
      Ending e = named(1013);
      if (retry_after_ms) e.reason += " retry_after_ms=" + std::to_string(*retry_after_ms);
      return e;
    }
    default:
      return named(info.code);  // 4408 heartbeat_timeout, 4509 slow_consumer, 1001, 1002, 1007, 1009
  }
}

namespace {

std::optional<std::string> stringField(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v && v->is_string() && !v->get_string().empty()) return std::string(v->get_string());
  return std::nullopt;
}

std::string errorsJson(std::string_view message, std::string_view code) {
  json::array errors{json::object{{"message", message}, {"extensions", json::object{{"code", code}}}}};
  return json::serialize(errors);
}

}  // namespace

// A live subscription: the broadcasts of its stream's topic, as `next` messages.
class GraphqlWsSession::Listener final : public pubsub::Subscriber {
 public:
  Listener(GraphqlWsSession& session, std::string id, std::shared_ptr<const GraphqlStream> stream)
      : session_(session), id_(std::move(id)), stream_(std::move(stream)) {}
  const std::string& topic() const { return stream_->topic(); }

  void deliver(const pubsub::BroadcastPtr& message) override {
    auto result = stream_->resultFor(message, session_.shard_);
    session_.send(gws::next(id_, *result));
  }

 private:
  GraphqlWsSession& session_;
  std::string id_;
  std::shared_ptr<const GraphqlStream> stream_;
};

GraphqlWsSession::GraphqlWsSession(const GraphqlWsShared& shared, SessionStart start)
    : deps_(shared.deps), transport_(start.transport), shard_(start.shard),
      auth_(sessionAuth(shared.auth, start)),
      session_cookie_(auth::sessionCookie(start.request)),
      connected_at_(std::chrono::steady_clock::now()) {}

GraphqlWsSession::~GraphqlWsSession() { onEnded(); }

void GraphqlWsSession::start() {
  // A revocation that raced the handshake (logout while it was in flight) ends it here.
  auth_.confirm(transport_.poster(), [this](auth::Verdict<void> verdict) {
    if (!verdict) transport_.closeWith(verdict.error().reason, verdict.error().retry_after_ms);
  });
}

void GraphqlWsSession::onText(std::string_view message) {
  if (ended_) return;
  auto parsed = gws::parseClientMessage(message);
  if (!parsed) return closeOwn(4400, parsed.error(), CloseReason::BadRequest);
  std::visit(
      [this](auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, gws::ConnectionInit>) onInit(m);
        if constexpr (std::is_same_v<M, gws::Ping>) onPing(m);
        if constexpr (std::is_same_v<M, gws::Subscribe>) onSubscribe(m);
        if constexpr (std::is_same_v<M, gws::Complete>) onComplete(m.id);
        // Pong: an answer to our ping, or an unsolicited heartbeat; either way, nothing to do.
      },
      *parsed);
}

void GraphqlWsSession::onBinary(std::string_view) {
  closeOwn(4400, "binary messages are not part of graphql-transport-ws", CloseReason::BadRequest);
}

void GraphqlWsSession::onInit(gws::ConnectionInit& init) {
  if (init_received_) return closeOwn(4429, "Too many initialisation requests", CloseReason::PolicyViolation);
  init_received_ = true;
  auto token = stringField(init.payload, "ticket");
  if (!token) token = stringField(init.payload, "token");
  auto csrf = stringField(init.payload, "csrfToken");
  if (!auth_.identity().anonymous() || (!token && !csrf)) {
    // Authenticated by the handshake (a credential here would be a second one, ignored),
    // or none at all: anonymous if the server allows it, else refused.
    if (auth_.pending()) return transport_.close(CloseReason::MissingCredentials);
    return acknowledge();
  }
  auto post = transport_.poster();
  auto done = [this](auth::Verdict<const Identity*> verdict) {
    if (!verdict) {
      std::uint64_t suppressed = 0;
      if (obs::refusalLogThrottle().allow(suppressed)) {
        obs::audit("connect_refused", {{"reason", closeInfo(verdict.error().reason).name},
                                       {"ip", auth_.clientIp()},
                                       {"via", "connection_init"}});
      }
      return transport_.closeWith(verdict.error().reason, verdict.error().retry_after_ms);
    }
    obs::audit("connect_accepted", {{"user", (*verdict)->user_id},
                                    {"kind", credentialKindName((*verdict)->kind)},
                                    {"ip", auth_.clientIp()},
                                    {"via", "connection_init"}});
    acknowledge();
  };
  if (token) return auth_.authenticate(*token, std::move(post), std::move(done));
  // The session cookie: only with an allowed Origin (the handshake refused any other), and
  // the CSRF token proves the page that opened the socket is ours.
  if (auth_.origin().empty()) return transport_.close(CloseReason::ForbiddenOrigin);
  if (!session_cookie_ || !deps_.sessions) return transport_.close(CloseReason::MissingCredentials);
  auth_.authenticateWith(
      [sessions = deps_.sessions, &tokens = deps_.tokens, cookie = *session_cookie_,
       csrf = std::move(*csrf)](auth::TokenVerifier::Done verdict) {
        auth::checkSession(*sessions, cookie, csrf,
                           [&tokens, verdict = std::move(verdict)](boost::system::result<auth::SessionInfo> s) mutable {
                             if (s) return tokens.checkRevocation(auth::sessionIdentity(*s), std::move(verdict));
                             if (isTransient(s.error())) return verdict(auth::Refusal{CloseReason::ServerBusy, 1000});
                             verdict(auth::Refusal{CloseReason::TokenInvalid, std::nullopt});
                           });
      },
      std::move(post), std::move(done));
}

void GraphqlWsSession::acknowledge() {
  acknowledged_ = true;
  transport_.setMaxMessageBytes(deps_.config.limits.frame_bytes);
  json::object payload;
  if (!auth_.identity().anonymous()) payload["userId"] = auth_.identity().user_id;
  send(gws::connectionAck(payload));
}

void GraphqlWsSession::onPing(gws::Ping& ping) {
  auto refresh = stringField(ping.payload, "refreshToken");
  if (!refresh) return send(gws::pong({}));
  auth_.refresh(*refresh, transport_.poster(), [this](auto result) {
    if (!result) {
      obs::inc(deps_.metrics.refreshes_failed);
      return send(gws::pong(json::object{{"refreshed", false}, {"reason", result.error()}}));
    }
    obs::inc(deps_.metrics.refreshes_ok);
    json::object payload{{"refreshed", true}};
    if (*result) {
      payload["expiresAt"] = std::chrono::duration_cast<std::chrono::seconds>((*result)->time_since_epoch()).count();
    }
    send(gws::pong(payload));
  });
}

void GraphqlWsSession::onSubscribe(gws::Subscribe& subscribe) {
  if (!acknowledged_) return closeOwn(4401, "Unauthorized", CloseReason::PolicyViolation);
  if (operations_.contains(subscribe.id)) {
    // The protocol's own words; the id is the client's, cut to fit a close frame.
    return closeOwn(4409, "Subscriber for " + subscribe.id.substr(0, 80) + " already exists",
                    CloseReason::PolicyViolation);
  }
  if (operations_.size() >= static_cast<std::size_t>(deps_.config.limits.topics_per_socket)) {
    return send(gws::error(subscribe.id, errorsJson("too many operations on this socket", "rate_limited")));
  }
  std::uint64_t serial = ++next_serial_;
  operations_.emplace(subscribe.id, Operation{serial, nullptr});
  GraphqlSocketCaller caller{auth_.identity(), std::string(auth_.clientIp()), std::string(auth_.origin()),
                             phoenixSocketUrl(auth_)};
  deps_.operations.run(
      std::move(subscribe.request), caller, transport_.poster(),
      [this, id = subscribe.id, serial](boost::system::result<GraphqlOutcome, GraphqlErrors> outcome) {
        auto it = operations_.find(id);
        // Completed by the client meanwhile (and the id perhaps reused): not for us.
        if (ended_ || it == operations_.end() || it->second.serial != serial) return;
        if (!outcome) {
          operations_.erase(it);
          return send(gws::error(id, outcome.error().json));
        }
        if (!outcome->stream) {
          operations_.erase(it);
          send(gws::next(id, outcome->result));
          return send(gws::complete(id));
        }
        listen(id, std::move(outcome->stream));
      });
}

void GraphqlWsSession::listen(const std::string& id, std::shared_ptr<const GraphqlStream> stream) {
  auto& op = operations_.at(id);
  op.listener = std::make_unique<Listener>(*this, id, std::move(stream));
  deps_.pubsub.subscribe(shard_, op.listener->topic(), op.listener.get());
}

void GraphqlWsSession::stopListening(Operation& op) {
  if (!op.listener) return;
  deps_.pubsub.unsubscribe(shard_, op.listener->topic(), op.listener.get());
  op.listener.reset();
}

void GraphqlWsSession::onComplete(const std::string& id) {
  auto it = operations_.find(id);
  if (it == operations_.end()) return;  // unknown or finished ids are ignored (PROTOCOL.md)
  stopListening(it->second);
  operations_.erase(it);
}

void GraphqlWsSession::send(std::string text) {
  if (ended_) return;
  transport_.send(std::make_shared<const std::string>(std::move(text)), false);
}

void GraphqlWsSession::closeOwn(std::uint16_t code, std::string reason, CloseReason counted_as) {
  if (reason.size() > 123) reason.resize(123);
  own_ending_ = Ending{std::nullopt, code, std::move(reason)};
  transport_.close(counted_as);
}

void GraphqlWsSession::checkDeadlines(std::chrono::steady_clock::time_point now) {
  if (!acknowledged_ && now - connected_at_ > std::chrono::seconds(deps_.config.auth.auth_timeout_s)) {
    return transport_.close(CloseReason::AuthTimeout);
  }
  if (auto reason = auth_.deadlinePassed(now)) transport_.close(*reason);
}

const Identity* GraphqlWsSession::identity() const {
  return auth_.identity().anonymous() ? nullptr : &auth_.identity();
}

Ending GraphqlWsSession::ending(CloseReason reason, std::optional<int> retry_after_ms) const {
  if (own_ending_) return *own_ending_;
  return graphqlWsEnding(reason, retry_after_ms);
}

void GraphqlWsSession::onEnded() {
  if (ended_) return;
  ended_ = true;
  for (auto& [id, op] : operations_) stopListening(op);
  operations_.clear();
}

}  // namespace sg::protocol
