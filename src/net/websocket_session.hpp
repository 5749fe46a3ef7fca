#pragma once
// One upgraded connection. Completes the WebSocket handshake, then either delivers a
// refusal (one connect_error message and a close with the reason's code) or runs a
// PhoenixSocket: frames in go to it, frames out go through a byte-capped queue with one
// write in flight. Internal to net/.
#include "auth/connect_authenticator.hpp"
#include "core/token_bucket.hpp"
#include "net/outbound_queue.hpp"
#include "net/server_context.hpp"
#include "protocol/phoenix_socket.hpp"
#include "protocol/transport.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace sg::net {

class WebSocketSession final : public std::enable_shared_from_this<WebSocketSession>,
                               public ShardSession,
                               public protocol::Transport {
 public:
  using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

  WebSocketSession(boost::beast::tcp_stream&& stream, ServerContext& ctx, Shard& shard,
                   phoenix::Version version, auth::ConnectDecision decision,
                   std::shared_ptr<auth::Admission::Lease> lease, std::string client_ip, std::string origin);
  ~WebSocketSession() override;

  void run(BeastRequest request);

  // ShardSession (close() is shared with protocol::Transport)
  void checkDeadlines(std::chrono::steady_clock::time_point now) override;
  const Identity* identity() const override { return phoenix_ ? &phoenix_->identity() : nullptr; }

  // protocol::Transport
  protocol::SendResult send(pubsub::Frame frame, bool binary) override;
  void close(CloseReason reason) override;

 private:
  void onAccept(boost::beast::error_code ec);
  void startSocket();
  void doRead();
  void onRead(boost::beast::error_code ec, std::size_t bytes);
  void doWrite();
  void onWrite(boost::beast::error_code ec, std::size_t bytes);
  void doClose();
  void teardown();
  void closeWith(CloseReason reason, std::optional<int> retry_after_ms);
  // Events on topic "phoenix" besides heartbeat: `auth` (first-message authentication)
  // and `refresh_token` (extends a live identity before its credential expires).
  channels::Reply onControl(std::string_view event, const boost::json::value& payload);
  channels::Reply authenticate(const boost::json::value& payload);
  channels::Reply refresh(const boost::json::value& payload);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  ServerContext& ctx_;
  Shard& shard_;
  phoenix::Version version_;
  auth::ConnectDecision decision_;
  std::shared_ptr<auth::Admission::Lease> lease_;  // this socket's places under the limits
  TokenBucket inbound_budget_;                      // limits.messages_per_s
  std::optional<protocol::PhoenixSocket> phoenix_;
  OutboundQueue queue_;
  std::chrono::steady_clock::time_point last_inbound_;
  std::chrono::steady_clock::time_point connected_at_;
  std::string client_ip_;  // as resolved through trusted proxies; for ticket binding
  std::string origin_;     // handshake Origin, empty when none
  std::optional<CloseReason> close_reason_;
  bool writing_ = false;
  bool close_sent_ = false;
};

}  // namespace sg::net
