#include "net/longpoll_service.hpp"

#include "core/encoding.hpp"
#include "core/text.hpp"
#include "auth/origin_policy.hpp"
#include "net/longpoll_connection.hpp"
#include "net/server_context.hpp"
#include "obs/audit.hpp"
#include "obs/log_throttle.hpp"
#include "obs/redact.hpp"
#include "protocol/longpoll_token.hpp"
#include "protocol/phoenix_longpoll.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

namespace sg::net {
namespace lp = protocol::longpoll;

namespace {

std::int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Browsers send no Origin on a same-origin GET. Their Sec-Fetch-Site header, which no
// page script can set, says when a request is same-origin: its origin is then this
// server's own, as the browser addressed it. (Anything that is not a browser can claim
// any Origin anyway.)
void addSameOrigin(http::Request& request) {
  if (request.header("Origin") || request.header("Sec-Fetch-Site") != "same-origin") return;
  auto host = request.header("Host");
  if (!host || host->empty()) return;
  request.headers.push_back({"Origin", std::string(request.secure ? "https://" : "http://") + std::string(*host)});
}

// The session token the request carries: Phoenix's header, or the last `token` parameter
// (the client appends its own after whatever `params` hold).
std::optional<std::string> sessionToken(const http::Request& request) {
  if (auto h = request.header("X-Phoenix-LongPoll-Token")) return std::string(*h);
  const std::string* last = nullptr;
  for (const auto& [name, value] : request.query)
    if (name == "token") last = &value;
  if (last && protocol::LongPollTokens::looksLikeToken(*last)) return *last;
  return std::nullopt;
}

http::Response gone(std::string_view why) {
  http::Response r;
  r.body = lp::goneAnswer(why);
  return r;
}

}  // namespace

const protocol::Endpoint* LongPollService::endpointFor(const http::Request& request) const {
  if (!ctx_.deps.longpoll_tokens || !ctx_.deps.origins) return nullptr;
  return ctx_.deps.endpoints.findLongPoll(request.path);
}

void LongPollService::handle(std::shared_ptr<http::Request> request, const protocol::Endpoint& endpoint, Shard& here,
                             http::Respond respond) {
  addSameOrigin(*request);
  auto origin = request->header("Origin");
  bool allowed = !origin || ctx_.deps.origins->allows(*origin);
  // Every answer: never cached (the token may travel in a header, so URLs do not tell
  // sessions apart), and readable by the allowed Origin that asked (CORS; no cookies).
  respond = [respond = std::move(respond), cors = allowed && origin ? std::string(*origin) : std::string()](
                http::Response r) {
    r.with("Cache-Control", "no-store");
    if (!cors.empty()) r.with("Access-Control-Allow-Origin", cors).with("Vary", "Origin");
    respond(std::move(r));
  };
  // A foreign Origin is refused before any credential or session is looked at.
  if (!allowed) return refuse(*request, CloseReason::ForbiddenOrigin, std::nullopt, respond);

  if (request->method == "OPTIONS") {
    // The preflight of a cross-origin poll (its custom headers and ndjson need one).
    auto r = http::Response::text(200, "");
    r.with("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        .with("Access-Control-Allow-Headers", "Content-Type, X-Phoenix-AuthToken, X-Phoenix-LongPoll-Token")
        .with("Access-Control-Max-Age", "3600");
    return respond(std::move(r));
  }
  bool get = request->method == "GET";
  if (!get && request->method != "POST") {
    return respond(http::Response::error(405, "method_not_allowed", "long-poll takes GET, POST and OPTIONS"));
  }
  auto token = sessionToken(*request);
  if (token) return resume(std::move(request), std::move(*token), std::move(respond));
  // Messages without a session (Phoenix answers the same: the client reconnects).
  if (!get) return respond(gone("no session token"));
  open(std::move(request), endpoint, here, std::move(respond));
}

void LongPollService::open(std::shared_ptr<http::Request> request, const protocol::Endpoint& endpoint, Shard& here,
                           http::Respond respond) {
  if (auto negotiated = endpoint.negotiate(*request); !negotiated) {
    return refuse(*request, negotiated.error().reason, negotiated.error().retry_after_ms, respond);
  }
  // Limits first: refusing a flood must not cost credential work.
  auto admitted = ctx_.deps.admission.admit(request->client_ip);
  if (!admitted) return refuse(*request, admitted.error().reason, admitted.error().retry_after_ms, respond);
  // No `token` parameter here has the session token's shape (see sessionToken): one the
  // client's own params hold is a JWT, for the authenticator as on a WebSocket (only with
  // auth.query_token). Later requests carry the session token after it, as the last one.
  ctx_.deps.authenticator.authenticate(*request, [this, request, &endpoint, &here, lease = std::move(*admitted),
                                                  respond = std::move(respond)](auth::ConnectDecision decision) mutable {
    // The authenticator may answer from another thread: the session is made on `here`.
    boost::asio::post(here.ioc, [this, request, &endpoint, &here, lease = std::move(lease),
                                 respond = std::move(respond), decision = std::move(decision)]() mutable {
      // First-message auth needs a socket that can push before it is anyone: long-poll
      // sessions are opened with a credential, or (allow_anonymous) as nobody.
      if (decision && decision->awaits_first_message) decision = auth::Refusal{CloseReason::MissingCredentials, std::nullopt};
      if (decision && !decision->identity.anonymous() && !lease->bindUser(decision->identity.user_id)) {
        decision = auth::Refusal{CloseReason::RateLimited, 10'000};
      }
      if (!decision) return refuse(*request, decision.error().reason, decision.error().retry_after_ms, respond);

      const Identity& who = decision->identity;
      spdlog::info("{} \"GET {}\" long-poll session opened kind={} user={}", request->client_ip, request->log_target,
                   credentialKindName(who.kind), who.user_id);
      if (!who.anonymous()) {
        obs::audit("connect_accepted", {{"user", who.user_id},
                                        {"kind", credentialKindName(who.kind)},
                                        {"session", who.session_id.empty() ? "" : obs::shortHash(who.session_id)},
                                        {"ip", request->client_ip},
                                        {"origin", request->header("Origin").value_or("")},
                                        {"transport", "longpoll"}});
      }
      obs::inc(ctx_.deps.metrics.handshakes_accepted);
      auto connection = std::make_shared<LongPollConnection>(ctx_, here, randomToken(16), who.user_id);
      auto session = endpoint.create(
          protocol::SessionStart{*connection, here.index, *request, std::move(*decision), std::move(lease)});
      here.long_polls.emplace(connection->id(), connection);
      connection->start(std::move(session));
      http::Response r;
      r.body = lp::pollAnswer(lp::kGone, tokenFor(*connection, here.index, request->client_ip), {});
      respond(std::move(r));
    });
  });
}

void LongPollService::resume(std::shared_ptr<http::Request> request, std::string token, http::Respond respond) {
  auto claims = ctx_.deps.longpoll_tokens->verify(token, request->client_ip, unixNow());
  if (!claims) {
    switch (claims.error()) {
      case protocol::LongPollTokenError::OtherNode:
        return respond(gone("the session is not on this node"));
      case protocol::LongPollTokenError::Expired:
        return respond(gone("the session token has expired"));
      case protocol::LongPollTokenError::WrongAddress:
        return refuse(*request, CloseReason::BindingMismatch, std::nullopt, respond);
      default:
        return refuse(*request, CloseReason::TokenInvalid, std::nullopt, respond);
    }
  }
  if (claims->shard >= ctx_.deps.shards.size()) return respond(gone("no such session"));
  std::vector<lp::Part> parts;
  bool get = request->method != "POST";
  if (!get) {
    bool ndjson = request->header("Content-Type").value_or("").starts_with("application/x-ndjson");
    auto split = lp::splitBatch(request->body, ndjson);
    if (!split) return refuse(*request, CloseReason::BadRequest, std::nullopt, respond);
    parts = std::move(*split);
  }
  Shard& shard = ctx_.deps.shards.at(claims->shard);
  boost::asio::post(shard.ioc, [this, &shard, request, claims = std::move(*claims), parts = std::move(parts), get,
                                respond = std::move(respond)]() mutable {
    auto it = shard.long_polls.find(claims.session_id);
    if (it == shard.long_polls.end()) return respond(gone("no such session"));
    auto connection = it->second;  // kept while it answers
    if (connection->userId() != claims.user_id) return refuse(*request, CloseReason::TokenInvalid, std::nullopt, respond);
    if (get) return connection->poll(tokenFor(*connection, shard.index, request->client_ip), std::move(respond));
    connection->post(std::move(parts), std::move(respond));
  });
}

std::string LongPollService::tokenFor(const LongPollConnection& connection, std::size_t shard,
                                      const std::string& client_ip) const {
  const auto& config = ctx_.deps.config.longpoll;
  // Each answer carries a fresh token, so it only has to reach the last poll this session
  // can answer: the poll window, then the idle time until the sweep ends the session (the
  // sweep runs once a second), then the idle time its end is kept for that poll. One more
  // second covers the whole-second expiry.
  std::int64_t window_s = (config.poll_timeout_ms + 999) / 1000;
  std::int64_t ttl = window_s + 2 * std::int64_t{config.idle_timeout_s} + 2;
  return ctx_.deps.longpoll_tokens->sign(
      protocol::LongPollClaims{ctx_.deps.longpoll_tokens->node(), shard, connection.id(), connection.userId(),
                               unixNow() + ttl},
      client_ip);
}

void LongPollService::refuse(const http::Request& request, CloseReason reason, std::optional<int> retry_after_ms,
                             const http::Respond& respond) const {
  ctx_.deps.metrics.refused(reason);
  const auto& info = closeInfo(reason);
  std::uint64_t suppressed = 0;
  if (obs::refusalLogThrottle().allow(suppressed)) {
    if (suppressed) spdlog::warn("{} refusal log lines suppressed (see /metrics for exact counts)", suppressed);
    spdlog::info("{} \"{} {}\" long-poll refused reason={}", request.client_ip, request.method, request.log_target,
                 info.name);
    obs::audit("connect_refused", {{"reason", info.name},
                                   {"ip", request.client_ip},
                                   {"origin", request.header("Origin").value_or("")},
                                   {"transport", "longpoll"}});
  }
  // The stock client reads only the status in the body (403 or 500, see
  // protocol/phoenix_longpoll.hpp); the HTTP status is the refusal's own, for the rest.
  http::Response r;
  r.status = info.http_status;
  r.body = lp::refusalAnswer(lp::refusalStatus(reason), reason, retry_after_ms);
  if (retry_after_ms) r.with("Retry-After", std::to_string((*retry_after_ms + 999) / 1000));
  respond(std::move(r));
}

}  // namespace sg::net
