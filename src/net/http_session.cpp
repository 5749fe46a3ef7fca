#include "net/http_session.hpp"

#include "net/websocket_session.hpp"
#include "obs/audit.hpp"
#include "obs/log_throttle.hpp"
#include "obs/redact.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

namespace sg::net {
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;

namespace {
constexpr std::string_view kSocketPath = "/socket/websocket";
}

http::Request toRequest(const bhttp::request<bhttp::string_body>& in, const std::string& peer_ip,
                        const http::TrustedProxies& proxies, const obs::Redactor& redactor) {
  http::Request r;
  r.method = std::string(in.method_string());
  r.target = std::string(in.target());
  auto q = r.target.find('?');
  r.path = r.target.substr(0, q);
  if (q != std::string::npos) {
    auto parsed = http::parseQuery(std::string_view(r.target).substr(q + 1));
    r.query_valid = parsed.has_value();
    if (parsed) r.query = std::move(*parsed);
  }
  r.headers.reserve(16);
  for (const auto& field : in) r.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  r.body = in.body();
  r.peer_ip = peer_ip;
  http::resolveClient(r, proxies);  // client_ip and secure (after r.tls, once net sets it)
  r.log_target = redactor.target(r.target);
  return r;
}

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx, Shard& shard)
    : stream_(std::move(socket)), ctx_(ctx), shard_(shard) {
  beast::error_code ec;
  auto endpoint = stream_.socket().remote_endpoint(ec);
  peer_ip_ = ec ? "unknown" : endpoint.address().to_string();
}

void HttpSession::run() {
  boost::asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&HttpSession::doRead, shared_from_this()));
}

void HttpSession::doRead() {
  const auto& limits = ctx_.deps.config.limits;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits.header_bytes));
  parser_->body_limit(limits.body_bytes);
  // Covers the whole request, headers and body: a slowloris gets request_timeout_s.
  stream_.expires_after(std::chrono::seconds(limits.request_timeout_s));
  bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::onRead, shared_from_this()));
}

void HttpSession::onRead(beast::error_code ec, std::size_t) {
  if (ec == bhttp::error::end_of_stream) return shutdown();
  if (ec == bhttp::error::header_limit) {
    return respond(http::Response::error(431, "headers_too_large", "request headers are over the limit"), false);
  }
  if (ec == bhttp::error::body_limit) {
    return respond(http::Response::error(413, "body_too_large", "request body is over the limit"), false);
  }
  if (ec) {
    if (ec != beast::error::timeout && ec != boost::asio::error::eof &&
        ec != boost::asio::error::connection_reset && ec != boost::asio::error::operation_aborted) {
      // Malformed HTTP: answer it once, then hang up.
      return respond(http::Response::error(400, "bad_request", "malformed HTTP request"), false);
    }
    return;  // timeouts and resets: nothing to answer
  }
  started_ = Clock::now();
  BeastRequest request = parser_->release();
  http::Request req = toRequest(request, peer_ip_, ctx_.deps.proxies, ctx_.deps.redactor);
  if (beast::websocket::is_upgrade(request)) return handleUpgrade(std::move(request), std::move(req));

  obs::inc(ctx_.deps.metrics.http_requests);
  bool keep_alive = request.keep_alive();
  auto self = shared_from_this();
  auto shared_req = std::make_shared<http::Request>(std::move(req));
  ctx_.deps.router.dispatch(*shared_req, [self, shared_req, keep_alive](http::Response response) {
    // The handler may answer from another thread: get back onto the shard.
    boost::asio::post(self->stream_.get_executor(), [self, shared_req, keep_alive, r = std::move(response)]() mutable {
      std::uint64_t suppressed = 0;
      if (r.status < 400 || obs::refusalLogThrottle().allow(suppressed)) {
        if (suppressed) spdlog::warn("{} refusal log lines suppressed (see /metrics for exact counts)", suppressed);
        self->logRequest(*shared_req, r.status, r.body.size());
      }
      if (r.status >= 400) obs::inc(self->ctx_.deps.metrics.http_errors);
      self->respond(std::move(r), keep_alive);
    });
  });
}

void HttpSession::handleUpgrade(BeastRequest request, http::Request req) {
  if (req.path != kSocketPath) {
    logRequest(req, 404, 0);
    return respond(http::Response::error(404, "not_found", "no WebSocket endpoint at this path"), false);
  }
  const auto* vsn_param = req.param("vsn");
  auto version = phoenix::parseVsn(vsn_param ? std::optional<std::string_view>(*vsn_param) : std::nullopt);
  if (!version || !req.query_valid) {
    return onDecision(std::move(request), req, phoenix::Version::V2,
                      auth::ConnectDecision::refuse(CloseReason::BadRequest), nullptr);
  }
  // Limits first: refusing a flood must not cost credential work.
  auto admitted = ctx_.deps.admission.admit(req.client_ip);
  if (admitted.refusal) return onDecision(std::move(request), req, *version, std::move(*admitted.refusal), nullptr);

  auto self = shared_from_this();
  auto shared_req = std::make_shared<http::Request>(std::move(req));
  auto shared_beast = std::make_shared<BeastRequest>(std::move(request));
  auto lease = std::shared_ptr<auth::Admission::Lease>(std::move(admitted.lease));
  ctx_.deps.authenticator.authenticate(
      *shared_req, [self, shared_req, shared_beast, lease, v = *version](auth::ConnectDecision decision) mutable {
        boost::asio::post(self->stream_.get_executor(),
                          [self, shared_req, shared_beast, lease, v, d = std::move(decision)]() mutable {
                            self->onDecision(std::move(*shared_beast), *shared_req, v, std::move(d), std::move(lease));
                          });
      });
}

void HttpSession::onDecision(BeastRequest request, const http::Request& req, phoenix::Version version,
                             auth::ConnectDecision decision, std::shared_ptr<auth::Admission::Lease> lease) {
  if (decision.accepted && lease) {
    // Caps that need the identity: sockets per user, and bare sockets per IP.
    if (!decision.identity.anonymous() && !lease->bindUser(decision.identity.user_id)) {
      decision = auth::ConnectDecision::refuse(CloseReason::RateLimited, 10'000);
    } else if (decision.awaits_first_message && !lease->enterPending()) {
      decision = auth::ConnectDecision::refuse(CloseReason::RateLimited, 10'000);
    }
  }
  const auto& info = closeInfo(decision.reason);
  auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
  std::string_view origin = req.header("Origin").value_or("");
  if (decision.accepted) {
    obs::inc(ctx_.deps.metrics.handshakes_accepted);
    if (decision.awaits_first_message) {
      // Bare sockets cost no credential work and come in floods: /metrics counts them, and
      // the line that matters is the one for the `auth` message that follows (or not).
      spdlog::debug("{} \"GET {}\" 101 accepted pending first-message auth {}us", req.client_ip, req.log_target,
                    elapsed_us);
    } else {
      spdlog::info("{} \"GET {}\" 101 accepted kind={} user={} {}us", req.client_ip, req.log_target,
                   credentialKindName(decision.identity.kind), decision.identity.user_id, elapsed_us);
    }
    if (!decision.identity.anonymous()) {
      std::string session = decision.identity.session_id.empty() ? "" : obs::shortHash(decision.identity.session_id);
      obs::audit("connect_accepted", {{"user", decision.identity.user_id},
                                      {"kind", credentialKindName(decision.identity.kind)},
                                      {"session", session},
                                      {"ip", req.client_ip},
                                      {"origin", origin}});
    }
  } else {
    ctx_.deps.metrics.refused(decision.reason);
    std::uint64_t suppressed = 0;
    if (obs::refusalLogThrottle().allow(suppressed)) {
      if (suppressed) spdlog::warn("{} refusal log lines suppressed (see /metrics for exact counts)", suppressed);
      spdlog::info("{} \"GET {}\" refused reason={} code={} {}us", req.client_ip, req.log_target, info.name,
                   info.code, elapsed_us);
      obs::audit("connect_refused", {{"reason", info.name}, {"ip", req.client_ip}, {"origin", origin}});
    }
    if (ctx_.deps.config.auth.reject_with == "http") {
      auto response = http::Response::error(info.http_status, info.name, "WebSocket connection refused");
      if (decision.retry_after_ms) response.with("Retry-After", std::to_string((*decision.retry_after_ms + 999) / 1000));
      return respond(std::move(response), false);
    }
  }
  auto session = std::make_shared<WebSocketSession>(std::move(stream_), ctx_, shard_, version, std::move(decision),
                                                    std::move(lease), req.client_ip, std::string(origin));
  session->run(std::move(request));
}

void HttpSession::respond(http::Response r, bool keep_alive) {
  response_.emplace(static_cast<bhttp::status>(r.status), 11);
  response_->set(bhttp::field::server, "sockguard");
  response_->set(bhttp::field::content_type, r.content_type);
  for (auto& h : r.headers) response_->insert(h.name, h.value);
  response_->body() = std::move(r.body);
  response_->keep_alive(keep_alive);
  response_->prepare_payload();
  bhttp::async_write(stream_, *response_,
                     beast::bind_front_handler(&HttpSession::onWrite, shared_from_this(), keep_alive));
}

void HttpSession::onWrite(bool keep_alive, beast::error_code ec, std::size_t) {
  response_.reset();
  if (ec) return;
  if (!keep_alive || shard_.stopping) return shutdown();
  doRead();
}

void HttpSession::logRequest(const http::Request& req, int status, std::size_t bytes) const {
  auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
  spdlog::info("{} \"{} {}\" {} {} {}us", req.client_ip, req.method, req.log_target, status, bytes, elapsed_us);
}

void HttpSession::shutdown() {
  beast::error_code ec;
  stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
}

}  // namespace sg::net
