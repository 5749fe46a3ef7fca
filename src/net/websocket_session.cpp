#include "net/websocket_session.hpp"

#include "obs/audit.hpp"
#include "obs/log_throttle.hpp"
#include "protocol/connect_error.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>

namespace sg::net {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(5);
// How long a closing socket may take to answer our close frame (or to read it).
constexpr auto kCloseHandshakeTimeout = std::chrono::seconds(5);
// Reads per readiness event: one busy client cannot hold its shard for long.
constexpr int kReadsPerWake = 4;

bool offersPhoenixProtocol(const WebSocketSession::BeastRequest& req) {
  auto it = req.find(beast::http::field::sec_websocket_protocol);
  if (it == req.end()) return false;
  std::string_view list = it->value();
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == "phoenix") return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// Expected ends of a connection: not worth a log line above debug.
bool isNormalEnd(beast::error_code ec) {
  return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset ||
         ec == boost::asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == boost::asio::error::broken_pipe || ec == websocket::error::closed;
}

bool wouldBlock(beast::error_code ec) {
  return ec == boost::asio::error::would_block || ec == boost::asio::error::try_again;
}

}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream&& stream, ServerContext& ctx, Shard& shard,
                                   phoenix::Version version, auth::ConnectDecision decision,
                                   std::shared_ptr<auth::Admission::Lease> lease, std::string client_ip,
                                   std::string origin)
    : handshake_(std::make_unique<Handshake>(std::move(stream))), socket_(handshake_->get_executor()), parser_(0),
      ctx_(ctx), shard_(shard), version_(version), decision_(std::move(decision)),
      lease_(std::move(lease)),
      inbound_budget_(ctx.deps.config.limits.messages_per_s, ctx.deps.config.limits.message_burst, Clock::now()),
      queue_(ctx.deps.config.limits.outbound_queue_bytes), last_inbound_(Clock::now()), connected_at_(Clock::now()),
      client_ip_(std::move(client_ip)), origin_(std::move(origin)) {
  ctx_.sockets_open.fetch_add(1, std::memory_order_relaxed);
}

WebSocketSession::~WebSocketSession() {
  ctx_.sockets_open.fetch_sub(1, std::memory_order_relaxed);
  obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(queue_.bytes()));
}

void WebSocketSession::run(BeastRequest request) {
  const auto& limits = ctx_.deps.config.limits;
  bool authenticated = decision_.accepted && !decision_.awaits_first_message;
  parser_.setMaxMessageBytes(authenticated ? limits.frame_bytes : limits.frame_bytes_before_auth);
  beast::get_lowest_layer(*handshake_).expires_never();
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kHandshakeTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();
  timeouts.keep_alive_pings = false;
  handshake_->set_option(timeouts);
  bool phoenix_protocol = offersPhoenixProtocol(request);
  handshake_->set_option(websocket::stream_base::decorator([phoenix_protocol](websocket::response_type& res) {
    res.set(beast::http::field::server, "sockguard");
    // The phoenix client's authToken rides in Sec-WebSocket-Protocol next to "phoenix";
    // browsers fail the handshake unless the server selects one of the offered protocols.
    if (phoenix_protocol) res.set(beast::http::field::sec_websocket_protocol, "phoenix");
  }));
  handshake_->async_accept(request, beast::bind_front_handler(&WebSocketSession::onAccept, shared_from_this()));
}

void WebSocketSession::onAccept(beast::error_code ec) {
  if (ec) {
    spdlog::debug("websocket accept failed: {}", ec.message());
    return;
  }
  // The upgrade is answered: from here on the session speaks RFC 6455 on the bare socket.
  socket_ = beast::get_lowest_layer(*handshake_).release_socket();
  handshake_.reset();
  socket_.non_blocking(true, ec);
  if (ec) {
    spdlog::warn("websocket: cannot make the socket non-blocking: {}", ec.message());
    return;
  }
  shard_.sessions.push_back(*this);
  obs::inc(ctx_.deps.metrics.connections_total);
  obs::add(ctx_.deps.metrics.connections_open, 1);
  if (!decision_.accepted) {
    // A browser cannot read the status of a refused upgrade, so refusals are delivered
    // over the open socket: close() sends one readable message, then the close code.
    closeWith(decision_.reason, decision_.retry_after_ms);
    awaitReadable();  // reads until the peer answers the close
    return;
  }
  startSocket();
  awaitReadable();
}

void WebSocketSession::startSocket() {
  const auto& limits = ctx_.deps.config.limits;
  protocol::PhoenixSocket::Deps deps{ctx_.deps.channels, *ctx_.pubsub, shard_.index, ctx_.deps.metrics};
  phoenix_.emplace(version_, decision_.identity, deps, *this, protocol::PhoenixSocketLimits{limits.topics_per_socket});
  phoenix_->setAuthPending(decision_.awaits_first_message);
  if (ctx_.deps.tokens) {
    phoenix_->setControlHandler([this](std::string_view event, const boost::json::value& payload) {
      return onControl(event, payload);
    });
  }
  decision_ = {};  // the identity now lives in phoenix_
}

channels::Reply WebSocketSession::onControl(std::string_view event, const boost::json::value& payload) {
  if (event == "auth") return authenticate(payload);
  if (event == "refresh_token") return refresh(payload);
  return channels::Reply::error("unknown event");
}

namespace {

std::optional<std::string_view> tokenField(const boost::json::value& payload) {
  if (!payload.is_object()) return std::nullopt;
  for (auto name : {"token", "ticket"}) {
    const auto* v = payload.get_object().if_contains(name);
    if (v && v->is_string() && !v->get_string().empty()) return std::string_view(v->get_string());
  }
  return std::nullopt;
}

}  // namespace

channels::Reply WebSocketSession::authenticate(const boost::json::value& payload) {
  if (!phoenix_->identity().anonymous()) return channels::Reply::error("already authenticated");
  auto token = tokenField(payload);
  if (!token) {
    close(CloseReason::MissingCredentials);
    return channels::Reply::error("missing_credentials");
  }
  auto decision = ctx_.deps.tokens->verify(*token, auth::Presentation{client_ip_, origin_});
  if (!decision.accepted) {
    // Counted as a refusal by closeWith(): the socket is still pending authentication.
    std::uint64_t suppressed = 0;
    if (obs::refusalLogThrottle().allow(suppressed)) {
      obs::audit("connect_refused", {{"reason", closeInfo(decision.reason).name}, {"ip", client_ip_}, {"via", "auth"}});
    }
    close(decision.reason);
    return channels::Reply::error(closeInfo(decision.reason).name);
  }
  if (lease_ && !lease_->bindUser(decision.identity.user_id)) {
    closeWith(CloseReason::RateLimited, 10'000);
    return channels::Reply::error("rate_limited");
  }
  if (lease_) lease_->authenticated();
  obs::audit("connect_accepted", {{"user", decision.identity.user_id},
                                  {"kind", credentialKindName(decision.identity.kind)},
                                  {"ip", client_ip_},
                                  {"via", "auth"}});
  std::string user_id = decision.identity.user_id;
  phoenix_->setIdentity(std::move(decision.identity));
  phoenix_->setAuthPending(false);
  parser_.setMaxMessageBytes(ctx_.deps.config.limits.frame_bytes);
  return channels::Reply::okWith(boost::json::object{{"user_id", user_id}});
}

channels::Reply WebSocketSession::refresh(const boost::json::value& payload) {
  auto refused = [this](std::string_view reason) {
    obs::inc(ctx_.deps.metrics.refreshes_failed);
    return channels::Reply::error(reason);
  };
  const Identity& current = phoenix_->identity();
  if (current.anonymous()) return refused("not authenticated");
  auto token = tokenField(payload);
  if (!token) return refused("missing_credentials");
  auto decision = ctx_.deps.tokens->verify(*token, auth::Presentation{client_ip_, origin_});
  if (!decision.accepted) return refused(closeInfo(decision.reason).name);
  // A refresh extends this user's identity; it never switches users.
  if (decision.identity.user_id != current.user_id) return refused("user_mismatch");
  Identity updated = current;
  updated.expires_at = decision.identity.expires_at;
  phoenix_->setIdentity(std::move(updated));
  obs::inc(ctx_.deps.metrics.refreshes_ok);
  boost::json::object response;
  if (decision.identity.expires_at) {
    response["expires_at"] =
        std::chrono::duration_cast<std::chrono::seconds>(decision.identity.expires_at->time_since_epoch()).count();
  }
  return channels::Reply::okWith(std::move(response));
}

// --- reading -----------------------------------------------------------------------

void WebSocketSession::awaitReadable() {
  socket_.async_wait(boost::asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](beast::error_code ec) { self->onReadable(ec); });
}

void WebSocketSession::onReadable(beast::error_code ec) {
  if (finished_) return;
  if (ec) return finish();
  auto& scratch = shard_.read_scratch;
  for (int round = 0; round < kReadsPerWake; ++round) {
    std::size_t n = socket_.read_some(boost::asio::buffer(scratch), ec);
    if (wouldBlock(ec)) break;
    if (ec) {
      if (!isNormalEnd(ec)) spdlog::debug("websocket read ended: {}", ec.message());
      return finish();  // the peer is gone, with or without a close frame
    }
    last_inbound_ = Clock::now();
    switch (parser_.feed(scratch.data(), n, *this)) {
      case ws::FrameError::None: break;
      case ws::FrameError::TooBig: closeWith(CloseReason::MessageTooBig, std::nullopt); break;
      case ws::FrameError::Protocol: closeWith(CloseReason::ProtocolError, std::nullopt); break;
      case ws::FrameError::InvalidUtf8: closeWith(CloseReason::InvalidPayload, std::nullopt); break;
    }
    if (parser_.stopped()) {
      // Nothing more will be read from this peer (RFC 6455 §7.1.7: a broken stream is
      // failed, not drained): end the connection once our close frame has left.
      peer_closed_ = true;
      if (close_written_) return finish();
    }
    if (finished_) return;
    if (n < scratch.size()) break;
  }
  awaitReadable();
}

void WebSocketSession::onMessage(bool binary, std::string_view payload) {
  if (close_queued_) return;  // closing: what the peer still sends is not processed
  if (!inbound_budget_.take(last_inbound_)) {
    return closeWith(CloseReason::RateLimited, 1000);  // a flood: the client must slow down
  }
  if (!phoenix_) return;
  if (binary) phoenix_->onBinary(payload);
  else phoenix_->onText(payload);
}

void WebSocketSession::onPing(std::string_view payload) {
  if (close_queued_) return;
  if (!inbound_budget_.take(last_inbound_)) return closeWith(CloseReason::RateLimited, 1000);
  enqueue(std::make_shared<const std::string>(payload), ws::Opcode::Pong);
}

void WebSocketSession::onPeerClose(std::optional<std::uint16_t> code) {
  peer_closed_ = true;
  if (close_queued_) {
    if (close_written_) finish();  // the answer to our close: done
    return;
  }
  // The peer closes first: answer with its code (RFC 6455 §5.5.1), then end.
  queueCloseFrame(code ? ws::closePayload(*code, {}) : std::string());
}

// --- writing -----------------------------------------------------------------------

protocol::SendResult WebSocketSession::send(pubsub::Frame frame, bool binary) {
  if (close_queued_ || finished_) return protocol::SendResult::Closed;
  if (!enqueue(std::move(frame), binary ? ws::Opcode::Binary : ws::Opcode::Text)) {
    return protocol::SendResult::Overflow;
  }
  return protocol::SendResult::Queued;
}

bool WebSocketSession::enqueue(pubsub::Frame frame, ws::Opcode opcode) {
  std::size_t n = frame->size();
  if (!queue_.push(frame, opcode)) {
    // The cap is on what the peer has not taken. While the socket still accepts writes,
    // queued bytes only wait for the shard's next flush (batching, a bounded pause).
    if (awaiting_writable_) {
      close(CloseReason::SlowConsumer);
      return false;
    }
    queue_.pushAnyway(std::move(frame), opcode);
  }
  obs::add(ctx_.deps.metrics.queued_bytes, static_cast<std::int64_t>(n));
  scheduleFlush();
  return true;
}

void WebSocketSession::scheduleFlush() {
  if (flush_scheduled_ || awaiting_writable_ || finished_) return;
  flush_scheduled_ = true;
  shard_.requestFlush(shared_from_this());
}

void WebSocketSession::flushQueued() {
  flush_scheduled_ = false;
  flush();
}

void WebSocketSession::flush() {
  if (finished_ || awaiting_writable_) return;
  auto& scratch = shard_.write_scratch;
  while (!queue_.empty()) {
    // Copy as many queued frames as fit into the shard's scratch buffer, each behind its
    // header, resuming the front one where the last write stopped.
    std::size_t used = 0, frames = 0, skip = front_written_;
    for (; frames < queue_.size(); ++frames) {
      const auto& item = queue_.at(frames);
      ws::FrameHeader header(item.opcode, item.frame->size());
      if (used + header.size() + item.frame->size() - skip > scratch.size()) break;
      if (skip < header.size()) {
        std::memcpy(scratch.data() + used, header.data() + skip, header.size() - skip);
        used += header.size() - skip;
        skip = 0;
      } else {
        skip -= header.size();
      }
      std::memcpy(scratch.data() + used, item.frame->data() + skip, item.frame->size() - skip);
      used += item.frame->size() - skip;
      skip = 0;
    }
    beast::error_code ec;
    std::size_t written;
    if (frames > 0) {
      written = socket_.write_some(boost::asio::buffer(scratch.data(), used), ec);
    } else {
      // The front frame alone is larger than the scratch buffer: write it where it is.
      const auto& item = queue_.front();
      ws::FrameHeader header(item.opcode, item.frame->size());
      std::array<boost::asio::const_buffer, 2> parts{boost::asio::buffer(header.data(), header.size()),
                                                     boost::asio::buffer(*item.frame)};
      parts[0] += std::min(front_written_, header.size());
      parts[1] += front_written_ > header.size() ? front_written_ - header.size() : 0;
      used = parts[0].size() + parts[1].size();
      written = socket_.write_some(parts, ec);
    }
    obs::inc(ctx_.deps.metrics.socket_writes);
    if (wouldBlock(ec)) break;
    if (ec) {
      if (!isNormalEnd(ec)) spdlog::debug("websocket write failed: {}", ec.message());
      return finish();
    }
    consumeWritten(written);
    if (written < used) break;  // the socket's send buffer is full
  }
  if (!queue_.empty()) {
    // Wait until the peer has read enough for the rest.
    awaiting_writable_ = true;
    socket_.async_wait(boost::asio::ip::tcp::socket::wait_write, [self = shared_from_this()](beast::error_code ec) {
      self->awaiting_writable_ = false;
      if (self->finished_) return;
      if (ec) return self->finish();
      self->flush();
    });
    return;
  }
  if (close_written_ && peer_closed_) finish();
}

void WebSocketSession::consumeWritten(std::size_t bytes) {
  while (bytes > 0) {
    const auto& item = queue_.front();
    std::size_t size = item.frame->size();
    std::size_t left = ws::FrameHeader::sizeFor(size) + size - front_written_;
    if (bytes < left) {
      front_written_ += bytes;
      return;
    }
    bytes -= left;
    front_written_ = 0;
    if (item.opcode == ws::Opcode::Close) close_written_ = true;
    obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(size));
    queue_.pop();
  }
}

// --- closing -----------------------------------------------------------------------

namespace {

// Closes that a client should understand before it decides whether to reconnect are
// announced with the connect_error message (DESIGN §4); protocol-level closes are not.
bool announces(CloseReason reason) {
  auto code = closeInfo(reason).code;
  return (code >= 4400 && code < 4500) || code == 4503;
}

}  // namespace

void WebSocketSession::close(CloseReason reason) { closeWith(reason, std::nullopt); }

void WebSocketSession::closeWith(CloseReason reason, std::optional<int> retry_after_ms) {
  if (close_queued_ || finished_) return;
  close_reason_ = reason;
  ctx_.deps.metrics.closed(reason);
  // A bare socket that never authenticated was, in the end, refused (DESIGN §4 counts
  // every refusal by reason).
  if (phoenix_ && phoenix_->authPending()) ctx_.deps.metrics.refused(reason);
  if (reason == CloseReason::SlowConsumer) {
    // The client is not reading: what is queued will not reach it in time anyway. A frame
    // already partly written must be finished, or the close frame would land inside it.
    std::size_t before = queue_.bytes();
    queue_.drop(/*keep_front=*/front_written_ > 0);
    obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(before - queue_.bytes()));
  }
  if (announces(reason)) {
    auto message = std::make_shared<const std::string>(protocol::encodeConnectError(version_, reason, retry_after_ms));
    obs::add(ctx_.deps.metrics.queued_bytes, static_cast<std::int64_t>(message->size()));
    queue_.pushAnyway(std::move(message), ws::Opcode::Text);
    obs::inc(ctx_.deps.metrics.messages_out);
  }
  const auto& info = closeInfo(reason);
  queueCloseFrame(ws::closePayload(info.code, info.name));
}

void WebSocketSession::queueCloseFrame(std::string payload) {
  close_queued_ = true;
  closing_since_ = Clock::now();
  auto frame = std::make_shared<const std::string>(std::move(payload));
  obs::add(ctx_.deps.metrics.queued_bytes, static_cast<std::int64_t>(frame->size()));
  queue_.pushAnyway(std::move(frame), ws::Opcode::Close);
  // Never re-enter the caller (it may be iterating subscribers): write on the next turn.
  scheduleFlush();
}

// Ends the connection: no more reads or writes, channels left, the shard forgets it. The
// session itself goes when the last of its cancelled operations has returned.
void WebSocketSession::finish() {
  if (finished_) return;
  finished_ = true;
  beast::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (phoenix_) phoenix_->leaveAll();
  obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(queue_.bytes()));
  queue_.drop(/*keep_front=*/false);
  if (is_linked()) {
    unlink();
    obs::add(ctx_.deps.metrics.connections_open, -1);
  }
}

void WebSocketSession::checkDeadlines(Clock::time_point now) {
  if (finished_) return;
  if (close_queued_) {
    // The peer neither answers our close nor reads it: stop waiting.
    if (now - closing_since_ > kCloseHandshakeTimeout) finish();
    return;
  }
  if (!phoenix_) return;
  const auto& config = ctx_.deps.config;
  if (phoenix_->authPending() && now - connected_at_ > std::chrono::seconds(config.auth.auth_timeout_s)) {
    return close(CloseReason::AuthTimeout);
  }
  if (now - last_inbound_ > std::chrono::seconds(config.limits.heartbeat_timeout_s)) {
    return close(CloseReason::HeartbeatTimeout);
  }
  // The credential behind the identity has run out and no refresh_token came in time.
  const auto& expires_at = phoenix_->identity().expires_at;
  if (expires_at && *expires_at <= std::chrono::system_clock::now()) close(CloseReason::TokenExpired);
}

}  // namespace sg::net
