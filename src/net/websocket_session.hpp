#pragma once
// One upgraded connection. Beast answers the upgrade; from then on the session owns the
// TCP socket and speaks RFC 6455 itself (net/ws_frame): it parses what the client sends
// straight out of the shard's read scratch, and writes everything it has queued in one
// system call. Either it delivers a refusal (one connect_error message, then a close with
// the reason's code) or it runs a PhoenixSocket. Internal to net/.
#include "auth/connect_authenticator.hpp"
#include "core/token_bucket.hpp"
#include "net/outbound_queue.hpp"
#include "net/server_context.hpp"
#include "net/ws_frame.hpp"
#include "protocol/phoenix_socket.hpp"
#include "protocol/transport.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream_fwd.hpp>

#include <chrono>
#include <memory>
#include <optional>

namespace sg::net {

class WebSocketSession final : public std::enable_shared_from_this<WebSocketSession>,
                               public ShardSession,
                               public protocol::Transport,
                               private ws::FrameSink {
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
  void flushQueued() override;

  // protocol::Transport
  protocol::SendResult send(pubsub::Frame frame, bool binary) override;
  void close(CloseReason reason) override;

 private:
  using Handshake = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  void onAccept(boost::beast::error_code ec);
  void startSocket();

  // Reading: wait until the socket is readable, then read and parse without blocking.
  void awaitReadable();
  void onReadable(boost::system::error_code ec);
  // ws::FrameSink
  void onMessage(bool binary, std::string_view payload) override;
  void onPing(std::string_view payload) override;
  void onPeerClose(std::optional<std::uint16_t> code) override;

  // Writing: frames are queued, then flushed by the shard after what was posted before
  // (Shard::requestFlush), so that a burst of broadcasts leaves in one system call.
  // enqueue() is false when the socket has stopped taking writes and the frame would
  // take its queue over the cap: the session then closes slow_consumer.
  bool enqueue(pubsub::Frame frame, ws::Opcode opcode);
  void scheduleFlush();
  void flush();
  void consumeWritten(std::size_t bytes);

  // Closing: queue the close frame after what is queued; end the TCP connection when both
  // sides have sent theirs, or when the peer does not answer in time.
  void closeWith(CloseReason reason, std::optional<int> retry_after_ms);
  void queueCloseFrame(std::string payload);
  void finish();

  // Events on topic "phoenix" besides heartbeat: `auth` (first-message authentication)
  // and `refresh_token` (extends a live identity before its credential expires).
  channels::Reply onControl(std::string_view event, const boost::json::value& payload);
  channels::Reply authenticate(const boost::json::value& payload);
  channels::Reply refresh(const boost::json::value& payload);

  std::unique_ptr<Handshake> handshake_;  // only until the upgrade is answered
  boost::asio::ip::tcp::socket socket_;
  ws::FrameParser parser_;
  ServerContext& ctx_;
  Shard& shard_;
  phoenix::Version version_;
  auth::ConnectDecision decision_;
  std::shared_ptr<auth::Admission::Lease> lease_;  // this socket's places under the limits
  TokenBucket inbound_budget_;                      // limits.messages_per_s
  std::optional<protocol::PhoenixSocket> phoenix_;
  OutboundQueue queue_;
  std::size_t front_written_ = 0;  // bytes of the front frame (header included) already sent
  std::chrono::steady_clock::time_point last_inbound_;
  std::chrono::steady_clock::time_point connected_at_;
  std::chrono::steady_clock::time_point closing_since_;
  std::string client_ip_;  // as resolved through trusted proxies; for ticket binding
  std::string origin_;     // handshake Origin, empty when none
  std::optional<CloseReason> close_reason_;  // why the server closes, when it does
  bool flush_scheduled_ = false;
  bool awaiting_writable_ = false;
  bool close_queued_ = false;   // our close frame is queued: nothing more may be sent
  bool close_written_ = false;  // ... and has left
  bool peer_closed_ = false;    // the peer's close frame arrived
  bool finished_ = false;
};

}  // namespace sg::net
