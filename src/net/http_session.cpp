#include "net/http_session.hpp"

#include "auth/refusal_style.hpp"
#include "net/websocket_connection.hpp"
#include "net/ws_handshake.hpp"
#include "obs/audit.hpp"
#include "obs/log_throttle.hpp"
#include "obs/redact.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>
#include <iterator>
#include <memory>
#include <string_view>
#include <type_traits>

namespace sg::net {
namespace beast = boost::beast;
namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;

namespace {
// Bytes asked of the stream per read while a request comes in: a ticket request or an
// upgrade fits in one read; a larger request (an API body) grows the buffer as it comes.
// Small, because a burst of handshakes holds one per connection in flight, and the
// allocator keeps what a burst took.
constexpr std::size_t kReadChunk = 2 * 1024;

// Where a response is put together before it is written: per thread, so that a response
// the socket takes at once (nearly all) costs no allocation of its own. A large one
// (a /metrics page, a GraphQL answer) does not stay held by the thread.
constexpr std::size_t kScratchKept = 64 * 1024;
std::string& responseScratch() {
  thread_local std::string scratch;
  if (scratch.capacity() > kScratchKept) std::string().swap(scratch);
  scratch.clear();
  return scratch;
}
}  // namespace

void completeRequest(http::Request& r, const std::string& peer_ip, bool tls, const http::TrustedProxies& proxies,
                     const obs::Redactor& redactor) {
  auto q = r.target.find('?');
  r.path.assign(r.target, 0, q);
  if (q != std::string::npos) {
    auto parsed = http::parseQuery(std::string_view(r.target).substr(q + 1));
    r.query_valid = parsed.has_value();
    if (parsed) r.query = std::move(*parsed);
  }
  r.peer_ip = peer_ip;
  r.tls = tls;
  http::resolveClient(r, proxies);  // client_ip, and secure: TLS, or https from a trusted proxy
  // Every line that shows a target is at info or debug (as are audit lines, obs/audit.cpp),
  // and the level is set once at start: below info nothing would show the redacted target,
  // the costliest step here, so it is not made.
  if (spdlog::default_logger_raw()->should_log(spdlog::level::info)) r.log_target = redactor.target(r.target);
}

void serializeResponse(std::string& out, const http::Response& r, bool keep_alive, bool head) {
  // Measured first, then copied into place: one allocation, and no growth check per piece.
  constexpr std::string_view kStatusLine = "HTTP/1.1 ";
  constexpr std::string_view kServerAndType = "\r\nServer: sockguard\r\nContent-Type: ";
  constexpr std::string_view kLength = "\r\nContent-Length: ";
  char status[16];
  std::string_view status_text(status, static_cast<std::size_t>(std::to_chars(status, status + sizeof status, r.status).ptr - status));
  char length[24];
  std::string_view length_text(
      length, static_cast<std::size_t>(std::to_chars(length, length + sizeof length, r.body.size()).ptr - length));
  std::string_view reason = bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  std::string_view type = r.content_type.view();
  std::string_view connection = keep_alive ? "\r\n" : "\r\nConnection: close\r\n";
  std::size_t size = kStatusLine.size() + status_text.size() + 1 + reason.size() + kServerAndType.size() + type.size() +
                     kLength.size() + length_text.size() + connection.size() + 2 + (head ? 0 : r.body.size());
  for (const auto& h : r.headers) size += h.name.size() + 2 + h.value.size() + 2;

  out.resize(size);
  char* p = out.data();
  auto put = [&p](std::string_view piece) {
    if (piece.empty()) return;  // an empty view may hold a null pointer, which memcpy must not get
    std::memcpy(p, piece.data(), piece.size());
    p += piece.size();
  };
  put(kStatusLine);
  put(status_text);
  put(" ");
  put(reason);
  put(kServerAndType);
  put(type);
  put(kLength);
  put(length_text);
  put(connection);
  for (const auto& h : r.headers) {
    put(h.name);
    put(": ");
    put(h.value);
    put("\r\n");
  }
  put("\r\n");
  if (!head) put(r.body);
}

HttpSession::HttpSession(ByteStream stream, std::string peer_ip, ServerContext& ctx, Shard& shard)
    : stream_(std::move(stream)), ctx_(ctx), shard_(shard), timer_(shard.ioc), peer_ip_(std::move(peer_ip)) {}

void HttpSession::run() {
  startRequest();
  // The listener defers accepts until the first bytes are in (TCP_DEFER_ACCEPT): read
  // them now rather than take the completion a round of the event loop later.
  readMore();
}

// --- reading -----------------------------------------------------------------------

void HttpSession::startRequest() {
  const auto& limits = ctx_.deps.config.limits;
  parser_.emplace(static_cast<std::uint32_t>(limits.header_bytes), limits.body_bytes);
  // Covers the whole request, headers and body: a slowloris gets request_timeout_s.
  deadline_ = Clock::now() + std::chrono::seconds(limits.request_timeout_s);
  reading_ = true;
  if (!timer_armed_) armTimer();
}

// The timer is armed once and left to run: a request read in time only clears reading_,
// and the next request moves deadline_, which the timer follows when it fires. Cancelling
// and re-arming it for every request on a keep-alive connection cost a timer-queue
// insert, a removal and a cancelled completion through the event loop each time.
void HttpSession::armTimer() {
  timer_armed_ = true;
  timer_.expires_at(deadline_);
  timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self) return;
    self->timer_armed_ = false;
    if (ec || self->ended_ || !self->reading_) return;
    if (Clock::now() < self->deadline_) return self->armTimer();  // a later request's deadline
    self->end();
  });
}

void HttpSession::readMore() {
  if (ended_) return;
  auto space = buffer_.prepare(kReadChunk);
  // Read first (a socket known to be drained answers would_block without a system call;
  // TLS records may wait inside the engine), then wait for the socket.
  auto n = stream_.readSome({static_cast<char*>(space.data()), space.size()});
  if (!n) {
    if (wouldBlock(n.error()) && stream_.hasPendingOutput()) {
      // TLS handshake records the socket did not take yet: send them before reading on.
      return stream_.waitWritable([self = shared_from_this()](boost::system::error_code ec) {
        if (ec) return self->end();
        auto flushed = self->stream_.flush();
        if (!flushed && !wouldBlock(flushed.error())) return self->end();
        self->readMore();
      });
    }
    if (wouldBlock(n.error())) {
      return stream_.waitReadable([self = shared_from_this()](boost::system::error_code ec) {
        if (ec) return self->end();
        self->readMore();
      });
    }
    return end();  // the peer left, mid-request or between requests: nothing to answer
  }
  buffer_.commit(*n);
  parse();
}

void HttpSession::parse() {
  while (!ended_) {
    beast::error_code ec;
    if (!parser_->got_some()) parser_->expectHead(buffer_.size());
    std::size_t used = buffer_.size() ? parser_->put(buffer_.data(), ec) : 0;
    buffer_.consume(used);
    if (ec == bhttp::error::need_more || (!ec && used == 0 && !parser_->is_done())) return readMore();
    if (ec == bhttp::error::header_limit) {
      return respond(http::Response::error(431, "headers_too_large", "request headers are over the limit"), false);
    }
    if (ec == bhttp::error::body_limit) {
      return respond(http::Response::error(413, "body_too_large", "request body is over the limit"), false);
    }
    // Malformed HTTP: answer it once, then hang up.
    if (ec) return respond(http::Response::error(400, "bad_request", "malformed HTTP request"), false);
    if (parser_->is_done()) return onRequest();
  }
}

void HttpSession::onRequest() {
  reading_ = false;  // in time: no deadline while the request is answered
  started_ = Clock::now();
  bool keep_alive = parser_->keep_alive();
  request_ = parser_->release();
  parser_.reset();
  completeRequest(request_, peer_ip_, stream_.secure(), ctx_.deps.proxies, ctx_.deps.redactor);
  if (ws::isUpgrade(request_)) return handleUpgrade();

  obs::inc(ctx_.deps.metrics.http_requests);
  bool head = request_.method == "HEAD";
  auto respond = responder(keep_alive, head);
  if (const auto* endpoint = ctx_.longpoll.endpointFor(request_)) {
    // A poll keeps (and amends) its own copy, on other shards too; the session logs from
    // request_ when it answers.
    return ctx_.longpoll.handle(std::make_shared<http::Request>(request_), *endpoint, shard_, std::move(respond));
  }
  ctx_.deps.router.dispatch(request_, std::move(respond));
}

http::Respond HttpSession::responder(bool keep_alive, bool head) {
  return [self = shared_from_this(), keep_alive, head](http::Response response) {
    // The handler may answer from another thread: get back onto the shard. Posted even
    // from the shard's own thread, so that an answer given at once never runs the next
    // pipelined request inside the handler of this one (the stack would grow with each),
    // and a long-poll answer never re-enters the connection that holds the poll. It costs
    // one pass of the event loop per response. (The long-poll test failure this was once
    // suspected of was the session token's lifetime: see LongPollService::tokenFor.)
    boost::asio::post(self->shard_.ioc, [self, keep_alive, head, r = std::move(response)]() mutable {
      std::uint64_t suppressed = 0;
      if (r.status < 400 || obs::refusalLogThrottle().allow(suppressed)) {
        if (suppressed) spdlog::warn("{} refusal log lines suppressed (see /metrics for exact counts)", suppressed);
        self->logRequest(r.status, r.body.size());
      }
      if (r.status >= 400) obs::inc(self->ctx_.deps.metrics.http_errors);
      self->respond(std::move(r), keep_alive, head);
    });
  };
}

// --- upgrades ----------------------------------------------------------------------

void HttpSession::handleUpgrade() {
  const auto& endpoints = ctx_.deps.endpoints;
  if (!endpoints.serves(request_.path)) {
    logRequest(404, 0);
    return respond(http::Response::error(404, "not_found", "no WebSocket endpoint at this path"), false);
  }
  auto accept_key = ws::acceptKey(request_);
  if (!accept_key) {
    logRequest(400, 0);
    if (accept_key.error() == ws::HandshakeError::UnsupportedVersion) {
      return respond(http::Response::error(426, "upgrade_required", "this server speaks WebSocket version 13")
                         .with("Sec-WebSocket-Version", "13"),
                     false);
    }
    return respond(http::Response::error(400, "bad_request", "malformed WebSocket upgrade"), false);
  }
  const protocol::Endpoint* endpoint = endpoints.find(request_);
  if (!endpoint) {
    logRequest(400, 0);
    return respond(http::Response::error(400, "unsupported_subprotocol", "no offered subprotocol is served here"),
                   false);
  }
  auto negotiated = endpoint->negotiate(request_);
  if (!negotiated) {
    // The protocol's own parameters (Phoenix: vsn) are refused before the upgrade, as
    // Phoenix does: a client whose version is not spoken could not read a message in it.
    auth::ConnectDecision refused = negotiated.error();
    logDecision(refused);
    ctx_.deps.metrics.refused(negotiated.error().reason);
    return respond(auth::refusalResponse(negotiated.error()), false);
  }
  // Limits first: refusing a flood must not cost credential work.
  auto admitted = ctx_.deps.admission.admit(request_.client_ip);
  if (!admitted) return onDecision(*endpoint, std::move(*negotiated), *accept_key, admitted.error(), nullptr);
  auto lease = std::move(*admitted);
  // request_ stays as it is until the decision: the session reads nothing more meanwhile.
  ctx_.deps.authenticator.authenticate(
      request_, [self = shared_from_this(), endpoint, subprotocol = std::move(*negotiated),
                 key = *accept_key, lease = std::move(lease)](auth::ConnectDecision decision) mutable {
        // The authenticator may answer from another thread: get back onto the shard. On its
        // own thread (in-memory tickets) the upgrade is answered at once.
        boost::asio::dispatch(self->shard_.ioc, [self, endpoint, subprotocol = std::move(subprotocol),
                                             key, lease = std::move(lease),
                                             d = std::move(decision)]() mutable {
          self->onDecision(*endpoint, std::move(subprotocol), key, std::move(d), std::move(lease));
        });
      });
}

void HttpSession::onDecision(const protocol::Endpoint& endpoint, std::string subprotocol, ws::AcceptKey accept_key,
                             auth::ConnectDecision decision, std::shared_ptr<auth::Admission::Lease> lease) {
  if (ended_) return;  // the request's time ran out while it was being authenticated
  const auto& auth_config = ctx_.deps.config.auth;
  // A bare socket is for clients the endpoint lets authenticate by their first message.
  if (decision && decision->awaits_first_message && !endpoint.acceptsBareSocket(request_, auth_config)) {
    decision = auth::Refusal{CloseReason::MissingCredentials, std::nullopt};
  }
  if (decision && lease) {
    // Caps that need the identity: sockets per user, and bare sockets per IP.
    if (!decision->identity.anonymous() && !lease->bindUser(decision->identity.user_id)) {
      decision = auth::Refusal{CloseReason::RateLimited, 10'000};
    } else if (lease->needsSharedCount()) {
      // A cluster counts the user's sockets on every node: ask, then come back here.
      return auth::Admission::Lease::countShared(lease, [self = shared_from_this(), &endpoint,
                                 subprotocol = std::move(subprotocol), key = accept_key,
                                 d = std::move(decision), lease](std::optional<auth::Refusal> refused) mutable {
        boost::asio::post(self->shard_.ioc, [self, &endpoint, subprotocol = std::move(subprotocol), key,
                                             d = std::move(d), lease = std::move(lease),
                                             refused]() mutable {
          if (refused) d = *refused;
          self->onDecision(endpoint, std::move(subprotocol), key, std::move(d), std::move(lease));
        });
      });
    } else if (decision->awaits_first_message && !lease->enterPending()) {
      decision = auth::Refusal{CloseReason::RateLimited, 10'000};
    }
  }
  logDecision(decision);
  if (!decision) {
    ctx_.deps.metrics.refused(decision.error().reason);
    // Told after the upgrade only to a client that reads it; any other gets plain HTTP, so
    // that its own reconnect backoff applies (auth/refusal_style.hpp).
    if (!endpoint.readsRefusals(request_, auth_config)) {
      return respond(auth::refusalResponse(decision.error()), false);
    }
  } else {
    obs::inc(ctx_.deps.metrics.handshakes_accepted);
  }
  reading_ = false;
  auto& bytes = responseScratch();
  ws::switchingProtocols(bytes, accept_key, subprotocol);
  upgrade_endpoint_ = &endpoint;
  upgrade_decision_.emplace(std::move(decision));
  upgrade_lease_ = std::move(lease);
  after_write_ = AfterWrite::Upgrade;
  send(bytes);
}

// The 101 is out: the stream goes to a WebSocketConnection.
void HttpSession::upgrade() {
  // Kept alive to the end of this call by whoever called it (a wait handler, or a caller
  // holding the session): the connection below takes the stream, not the session.
  auto self = shared_from_this();
  const auto& limits = ctx_.deps.config.limits;
  const protocol::Endpoint& endpoint = *upgrade_endpoint_;
  auth::ConnectDecision decision = std::move(*upgrade_decision_);
  upgrade_decision_.reset();
  auto lease = std::move(upgrade_lease_);
  bool authenticated = decision && !decision->awaits_first_message;
  // What the client sent after its upgrade request (frames, pipelined) is read first.
  std::string early(static_cast<const char*>(buffer_.data().data()), buffer_.size());
  ended_ = true;  // the stream now belongs to the connection
  auto connection = std::make_shared<WebSocketConnection>(
      std::move(stream_), ctx_, shard_, authenticated ? limits.frame_bytes : limits.frame_bytes_before_auth);
  if (!decision) {
    const auto& refusal = decision.error();
    return connection->refuse(refusal.reason, endpoint.refusal(request_, refusal.reason, refusal.retry_after_ms),
                              std::move(lease), std::move(early));
  }
  auto session = endpoint.create(
      protocol::SessionStart{*connection, shard_.index, request_, std::move(*decision), std::move(lease)});
  connection->start(std::move(session), std::move(early));
}

void HttpSession::logDecision(const auth::ConnectDecision& decision) const {
  const http::Request& req = request_;
  auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
  std::string_view origin = req.header("Origin").value_or("");
  if (decision) {
    const Identity& who = decision->identity;
    if (decision->awaits_first_message) {
      // Bare sockets cost no credential work and come in floods: /metrics counts them, and
      // the line that matters is the one for the `auth` message that follows (or not).
      spdlog::debug("{} \"GET {}\" 101 accepted pending first-message auth {}us", req.client_ip, req.log_target,
                    elapsed_us);
    } else {
      spdlog::info("{} \"GET {}\" 101 accepted kind={} user={} {}us", req.client_ip, req.log_target,
                   credentialKindName(who.kind), who.user_id, elapsed_us);
    }
    if (!who.anonymous()) {
      std::string session = who.session_id.empty() ? "" : obs::shortHash(who.session_id);
      obs::audit("connect_accepted", {{"user", who.user_id},
                                      {"kind", credentialKindName(who.kind)},
                                      {"session", session},
                                      {"ip", req.client_ip},
                                      {"origin", origin}});
    }
    return;
  }
  const auto& info = closeInfo(decision.error().reason);
  std::uint64_t suppressed = 0;
  if (obs::refusalLogThrottle().allow(suppressed)) {
    if (suppressed) spdlog::warn("{} refusal log lines suppressed (see /metrics for exact counts)", suppressed);
    spdlog::info("{} \"GET {}\" refused reason={} code={} {}us", req.client_ip, req.log_target, info.name, info.code,
                 elapsed_us);
    obs::audit("connect_refused", {{"reason", info.name}, {"ip", req.client_ip}, {"origin", origin}});
  }
}

// --- writing -----------------------------------------------------------------------

void HttpSession::respond(http::Response r, bool keep_alive, bool head) {
  if (ended_) return;
  reading_ = false;  // the answer is not held to the request's deadline
  decorate(r);
  auto& bytes = responseScratch();
  serializeResponse(bytes, r, keep_alive, head);
  keep_alive_ = keep_alive;
  after_write_ = AfterWrite::NextRequest;
  send(bytes);
}

bool HttpSession::writeNow(std::string_view& bytes) {
  while (!bytes.empty()) {
    boost::asio::const_buffer part(bytes.data(), bytes.size());
    auto n = stream_.writeSome({&part, 1});
    if (!n) {
      if (wouldBlock(n.error())) return true;
      end();
      return false;
    }
    bytes.remove_prefix(*n);
  }
  return true;
}

void HttpSession::send(std::string_view bytes) {
  if (ended_ || !writeNow(bytes)) return;
  if (bytes.empty()) return written();
  // What the socket did not take (mostly nothing: no allocation) waits in out_ for room;
  // `bytes` is not looked at again, as what follows may put together the next response.
  out_.assign(bytes);
  out_written_ = 0;
  awaitWritable();
}

void HttpSession::writeOut() {
  if (ended_) return;
  std::string_view rest = std::string_view(out_).substr(out_written_);
  if (!writeNow(rest)) return;
  out_written_ = out_.size() - rest.size();
  if (!rest.empty()) return awaitWritable();
  written();
}

void HttpSession::awaitWritable() {
  stream_.waitWritable([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return self->end();
    self->writeOut();
  });
}

void HttpSession::written() {
  if (stream_.hasPendingOutput()) {
    // TLS took the bytes but the socket not all of their records: those leave first.
    auto flushed = stream_.flush();
    if (!flushed && !wouldBlock(flushed.error())) return end();
    if (!flushed) return awaitWritable();
  }
  // Released, not cleared: out_ held only what a slow reader left (rarely anything), and an
  // idle keep-alive connection need not keep the room for it.
  std::string().swap(out_);
  out_written_ = 0;
  if (after_write_ == AfterWrite::Upgrade) return upgrade();
  // The request is answered: its memory goes now, not when the next one comes (an idle
  // keep-alive connection holds no request). Made anew in place: assigned an empty Request,
  // every string would keep its buffer, a large POST body's too. (No const or reference
  // member: what referred to request_ refers to the new one, as after an assignment.)
  static_assert(std::is_nothrow_default_constructible_v<http::Request>);
  std::destroy_at(&request_);
  std::construct_at(&request_);
  if (!keep_alive_ || shard_.stopping) return end();
  startRequest();
  parse();  // a pipelined request may already wait in the buffer
}

void HttpSession::decorate(http::Response& r) const {
  int hsts = ctx_.deps.config.server.hsts_max_age_s;
  // Over TLS only (RFC 6797 §7.2: a plain-HTTP answer must not carry it).
  if (hsts > 0 && stream_.secure()) r.with("Strict-Transport-Security", "max-age=" + std::to_string(hsts));
}

void HttpSession::logRequest(int status, std::size_t bytes) const {
  const http::Request& req = request_;
  auto elapsed_us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started_).count();
  spdlog::info("{} \"{} {}\" {} {} {}us", req.client_ip, req.method, req.log_target, status, bytes, elapsed_us);
}

void HttpSession::end() {
  if (ended_) return;
  ended_ = true;
  timer_.cancel();
  stream_.close();
}

}  // namespace sg::net
