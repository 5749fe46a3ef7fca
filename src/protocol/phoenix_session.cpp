#include "protocol/phoenix_session.hpp"

#include "obs/audit.hpp"
#include "obs/log_throttle.hpp"
#include "protocol/connect_error.hpp"
#include "protocol/session_auth.hpp"

namespace sg::protocol {
namespace json = boost::json;

namespace {

// Closes that a client should understand before it decides whether to reconnect are
// announced with the connect_error message (DESIGN §4); protocol-level closes are not.
bool announces(CloseReason reason) {
  auto code = closeInfo(reason).code;
  return (code >= 4400 && code < 4500) || code == 4503;
}

std::optional<std::string_view> tokenField(const json::value& payload) {
  if (!payload.is_object()) return std::nullopt;
  for (auto name : {"token", "ticket"}) {
    const auto* v = payload.get_object().if_contains(name);
    if (v && v->is_string() && !v->get_string().empty()) return std::string_view(v->get_string());
  }
  return std::nullopt;
}

}  // namespace

Ending phoenixEnding(phoenix::Version version, CloseReason reason, std::optional<int> retry_after_ms) {
  const auto& info = closeInfo(reason);
  Ending ending{std::nullopt, info.code, std::string(info.name)};
  if (announces(reason)) ending.message = encodeConnectError(version, reason, retry_after_ms);
  return ending;
}

PhoenixSession::PhoenixSession(const PhoenixShared& shared, phoenix::Version version, SessionStart start)
    : deps_(shared.deps),
      auth_(sessionAuth(shared.auth, start)),
      socket_(version, auth_.identity(), shared.socket, start.shard, start.transport,
              PhoenixSocketLimits{shared.deps.config.limits.topics_per_socket}) {
  socket_.setAuthPending(auth_.pending());
  socket_.setControlHandler(this);
}

channels::Peer PhoenixSession::peer() const {
  return channels::Peer{std::string(auth_.clientIp()), std::string(auth_.origin()), phoenixSocketUrl(auth_)};
}

void PhoenixSession::start() {
  // A revocation that raced the handshake (logout while it was in flight) ends it here.
  auth_.confirm(transport().poster(), [this](auth::Verdict<void> verdict) {
    if (!verdict) transport().closeWith(verdict.error().reason, verdict.error().retry_after_ms);
  });
}

const Identity* PhoenixSession::identity() const {
  return auth_.identity().anonymous() ? nullptr : &auth_.identity();
}

void PhoenixSession::checkDeadlines(std::chrono::steady_clock::time_point now) {
  if (auto reason = auth_.deadlinePassed(now)) transport().close(*reason);
}

Ending PhoenixSession::ending(CloseReason reason, std::optional<int> retry_after_ms) const {
  return phoenixEnding(socket_.version(), reason, retry_after_ms);
}

void PhoenixSession::onControl(std::string_view event, const json::value& payload, ControlReply reply) {
  if (event == "auth") return authenticate(payload, std::move(reply));
  if (event == "refresh_token") return refresh(payload, std::move(reply));
  reply(channels::Reply::error("unknown event"));
}

void PhoenixSession::authenticate(const json::value& payload, ControlReply reply) {
  if (!auth_.identity().anonymous()) return reply(channels::Reply::error("already authenticated"));
  auto token = tokenField(payload);
  if (!token) {
    transport().close(CloseReason::MissingCredentials);
    return reply(channels::Reply::error("missing_credentials"));
  }
  auth_.authenticate(*token, transport().poster(), [this, reply = std::move(reply)](auth::Verdict<const Identity*> verdict) {
    if (!verdict) {
      // Counted as a refusal when the connection closes: it is still pending.
      const auto& refusal = verdict.error();
      std::uint64_t suppressed = 0;
      if (obs::refusalLogThrottle().allow(suppressed)) {
        obs::audit("connect_refused", {{"reason", closeInfo(refusal.reason).name}, {"ip", auth_.clientIp()}, {"via", "auth"}});
      }
      transport().closeWith(refusal.reason, refusal.retry_after_ms);
      return reply(channels::Reply::error(closeInfo(refusal.reason).name));
    }
    const Identity& who = **verdict;
    obs::audit("connect_accepted",
               {{"user", who.user_id}, {"kind", credentialKindName(who.kind)}, {"ip", auth_.clientIp()}, {"via", "auth"}});
    socket_.setAuthPending(false);
    transport().setMaxMessageBytes(deps_.config.limits.frame_bytes);
    reply(channels::Reply::okWith(json::object{{"user_id", who.user_id}}));
  });
}

void PhoenixSession::refresh(const json::value& payload, ControlReply reply) {
  auto token = tokenField(payload);
  if (!token) {
    obs::inc(deps_.metrics.refreshes_failed);
    return reply(channels::Reply::error(auth_.identity().anonymous() ? "not authenticated" : "missing_credentials"));
  }
  auth_.refresh(*token, transport().poster(), [this, reply = std::move(reply)](auto result) {
    if (!result) {
      obs::inc(deps_.metrics.refreshes_failed);
      return reply(channels::Reply::error(result.error()));
    }
    obs::inc(deps_.metrics.refreshes_ok);
    json::object response;
    if (*result) {
      response["expires_at"] = std::chrono::duration_cast<std::chrono::seconds>((*result)->time_since_epoch()).count();
    }
    reply(channels::Reply::okWith(std::move(response)));
  });
}

}  // namespace sg::protocol
