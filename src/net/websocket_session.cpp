#include "net/websocket_session.hpp"

#include "obs/audit.hpp"
#include "obs/log_throttle.hpp"
#include "protocol/connect_error.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <spdlog/spdlog.h>

namespace sg::net {
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using Clock = std::chrono::steady_clock;

namespace {

// Beast keeps a write buffer per stream for masking and compression, neither of which a
// server without permessage-deflate uses: keep it small so idle sockets stay small.
constexpr std::size_t kWriteBufferBytes = 256;
constexpr auto kCloseHandshakeTimeout = std::chrono::seconds(5);

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
  return ec == websocket::error::closed || ec == boost::asio::error::eof ||
         ec == boost::asio::error::connection_reset || ec == boost::asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == boost::asio::error::broken_pipe;
}

}  // namespace

WebSocketSession::WebSocketSession(beast::tcp_stream&& stream, ServerContext& ctx, Shard& shard,
                                   phoenix::Version version, auth::ConnectDecision decision,
                                   std::shared_ptr<auth::Admission::Lease> lease, std::string client_ip,
                                   std::string origin)
    : ws_(std::move(stream)), ctx_(ctx), shard_(shard), version_(version), decision_(std::move(decision)),
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
  beast::get_lowest_layer(ws_).expires_never();  // the WebSocket's own timeouts take over
  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = kCloseHandshakeTimeout;
  timeouts.idle_timeout = websocket::stream_base::none();  // the shard's sweep enforces silence
  timeouts.keep_alive_pings = false;
  ws_.set_option(timeouts);
  ws_.write_buffer_bytes(kWriteBufferBytes);
  ws_.auto_fragment(false);
  bool authenticated = decision_.accepted && !decision_.awaits_first_message;
  ws_.read_message_max(authenticated ? limits.frame_bytes : limits.frame_bytes_before_auth);
  bool phoenix_protocol = offersPhoenixProtocol(request);
  ws_.set_option(websocket::stream_base::decorator([phoenix_protocol](websocket::response_type& res) {
    res.set(beast::http::field::server, "sockguard");
    // The phoenix client's authToken rides in Sec-WebSocket-Protocol next to "phoenix";
    // browsers fail the handshake unless the server selects one of the offered protocols.
    if (phoenix_protocol) res.set(beast::http::field::sec_websocket_protocol, "phoenix");
  }));
  ws_.async_accept(request, beast::bind_front_handler(&WebSocketSession::onAccept, shared_from_this()));
}

void WebSocketSession::onAccept(beast::error_code ec) {
  if (ec) {
    spdlog::debug("websocket accept failed: {}", ec.message());
    return;
  }
  shard_.sessions.push_back(*this);
  obs::inc(ctx_.deps.metrics.connections_total);
  obs::add(ctx_.deps.metrics.connections_open, 1);
  if (!decision_.accepted) {
    // A browser cannot read the status of a refused upgrade, so refusals are delivered
    // over the open socket: close() sends one readable message, then the close code.
    closeWith(decision_.reason, decision_.retry_after_ms);
    doRead();  // reads until the peer answers the close
    return;
  }
  startSocket();
  doRead();
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
  ws_.read_message_max(ctx_.deps.config.limits.frame_bytes);
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

void WebSocketSession::doRead() {
  ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::onRead, shared_from_this()));
}

void WebSocketSession::onRead(beast::error_code ec, std::size_t) {
  if (ec) {
    if (ec == websocket::error::message_too_big) {
      // Beast has already answered with close 1009.
      ctx_.deps.metrics.closed(CloseReason::MessageTooBig);
    } else if (!isNormalEnd(ec)) {
      spdlog::debug("websocket read ended: {}", ec.message());
    }
    return teardown();
  }
  last_inbound_ = Clock::now();
  if (!close_reason_ && !inbound_budget_.take(last_inbound_)) {
    closeWith(CloseReason::RateLimited, 1000);  // a flood: the client must slow down
  }
  if (phoenix_ && !close_reason_) {
    std::string_view frame(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    if (ws_.got_text()) phoenix_->onText(frame);
    else phoenix_->onBinary(frame);
  }
  buffer_.consume(buffer_.size());
  // A large message grew the buffer; an idle socket should not keep that memory.
  if (buffer_.capacity() > 4096) buffer_.shrink_to_fit();
  doRead();
}

protocol::SendResult WebSocketSession::send(pubsub::Frame frame, bool binary) {
  if (close_reason_) return protocol::SendResult::Closed;
  std::size_t n = frame->size();
  if (!queue_.push(std::move(frame), binary)) {
    close(CloseReason::SlowConsumer);
    return protocol::SendResult::Overflow;
  }
  obs::add(ctx_.deps.metrics.queued_bytes, static_cast<std::int64_t>(n));
  if (!writing_) doWrite();
  return protocol::SendResult::Queued;
}

void WebSocketSession::doWrite() {
  writing_ = true;
  const auto& item = queue_.front();
  ws_.binary(item.binary);
  ws_.async_write(boost::asio::buffer(*item.frame),
                  beast::bind_front_handler(&WebSocketSession::onWrite, shared_from_this()));
}

void WebSocketSession::onWrite(beast::error_code ec, std::size_t) {
  writing_ = false;
  obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(queue_.front().frame->size()));
  queue_.pop();
  if (ec) {
    if (!isNormalEnd(ec)) spdlog::debug("websocket write failed: {}", ec.message());
    return;  // the read side sees the failure too and tears down
  }
  if (!queue_.empty()) return doWrite();
  if (close_reason_) doClose();
}

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
  if (close_reason_) return;
  if (announces(reason)) {
    send(std::make_shared<const std::string>(protocol::encodeConnectError(version_, reason, retry_after_ms)), false);
    obs::inc(ctx_.deps.metrics.messages_out);
  }
  close_reason_ = reason;
  ctx_.deps.metrics.closed(reason);
  // A bare socket that never authenticated was, in the end, refused (DESIGN §4 counts
  // every refusal by reason).
  if (phoenix_ && phoenix_->authPending()) ctx_.deps.metrics.refused(reason);
  if (reason == CloseReason::SlowConsumer) {
    // The client is not reading: what is queued will not reach it in time anyway.
    std::size_t before = queue_.bytes();
    if (writing_) queue_.dropAllButFront();
    obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(before - queue_.bytes()));
  }
  if (!writing_ && queue_.empty()) {
    // Never re-enter the caller (it may be iterating subscribers): close on the next turn.
    boost::asio::post(ws_.get_executor(), [self = shared_from_this()] { self->doClose(); });
  }
}

void WebSocketSession::doClose() {
  if (close_sent_ || !close_reason_) return;
  close_sent_ = true;
  const auto& info = closeInfo(*close_reason_);
  ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(info.code), info.name),
                  [self = shared_from_this()](beast::error_code ec) {
                    if (ec && !isNormalEnd(ec)) spdlog::debug("websocket close failed: {}", ec.message());
                  });
}

void WebSocketSession::checkDeadlines(Clock::time_point now) {
  if (close_reason_ || !phoenix_) return;
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

void WebSocketSession::teardown() {
  if (phoenix_) phoenix_->leaveAll();
  if (is_linked()) {
    unlink();
    obs::add(ctx_.deps.metrics.connections_open, -1);
  }
}

}  // namespace sg::net
