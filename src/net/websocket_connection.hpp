#pragma once
// One upgraded connection: RFC 6455 over the byte stream, for whatever protocol session
// the endpoint made. It parses what the client sends straight out of the shard's read
// scratch, hands messages to the session, writes everything queued in one call per
// flush, keeps the outbound byte cap (slow_consumer), the inbound message rate, the
// silence timeout and the close handshake. It knows no protocol: how to say goodbye for a
// reason comes from the session (or, for a refused upgrade, from the endpoint).
// Internal to net/.
#include "core/token_bucket.hpp"
#include "net/byte_stream.hpp"
#include "net/outbound_queue.hpp"
#include "net/server_context.hpp"
#include "net/ws_frame.hpp"
#include "protocol/session.hpp"
#include "protocol/transport.hpp"

#include <chrono>
#include <memory>
#include <optional>

namespace sg::net {

class WebSocketConnection final : public std::enable_shared_from_this<WebSocketConnection>,
                                  public ShardSession,
                                  public protocol::Transport,
                                  private ws::FrameSink {
 public:
  WebSocketConnection(ByteStream stream, ServerContext& ctx, Shard& shard, std::size_t max_message_bytes);
  ~WebSocketConnection() override;

  // Runs `session` (made by the endpoint with this connection as its transport), after
  // feeding it `early`: bytes the client sent right behind its upgrade request.
  void start(std::unique_ptr<protocol::Session> session, std::string early);
  // Delivers a refused upgrade: the endpoint's ending for `reason`, then the close. `lease`
  // keeps the socket counted under the limits until it is gone, as an accepted one is.
  void refuse(CloseReason reason, protocol::Ending ending, std::shared_ptr<void> lease, std::string early);

  // ShardSession (close() is shared with protocol::Transport)
  void checkDeadlines(std::chrono::steady_clock::time_point now) override;
  const Identity* identity() const override { return session_ ? session_->identity() : nullptr; }
  void flushQueued() override;
  void close(CloseReason reason) override { closeWith(reason, std::nullopt); }

  // protocol::Transport
  protocol::SendResult send(pubsub::Frame frame, bool binary) override;
  void closeWith(CloseReason reason, std::optional<int> retry_after_ms) override;
  void setMaxMessageBytes(std::size_t bytes) override { parser_.setMaxMessageBytes(bytes); }
  Poster poster() override;
  std::weak_ptr<const void> lifetime() const override { return weak_from_this(); }

 private:
  // Where the connection is in its life. Reading goes on until Done; sending only while
  // Open (after that only the close frame and what was queued before it leave).
  enum class State : std::uint8_t {
    Open,
    Closing,    // our close frame is queued (or written), the peer's not yet received
    Done,       // both closes exchanged, the peer gone, or given up: nothing more
  };
  // How writes are scheduled.
  enum class Writer : std::uint8_t {
    Idle,
    Reading,           // parsing what it read: what is queued meanwhile is written when the read ends
    FlushScheduled,    // the shard flushes this connection with its next batch
    AwaitingWritable,  // the socket took less than was queued: wait until it drains
  };

  void register_();
  void feed(char* data, std::size_t n);

  // Reading: wait until the socket is readable, then read and parse without blocking.
  void awaitReadable();
  void onReadable(boost::system::error_code ec);
  void readAvailable();
  // ws::FrameSink
  void onMessage(bool binary, std::string_view payload) override;
  void onPing(std::string_view payload) override;
  void onPeerClose(std::optional<std::uint16_t> code) override;

  // Writing: frames are queued, then flushed by the shard after what was posted before
  // (Shard::requestFlush), so that a burst of broadcasts leaves in one system call.
  // enqueue() is false when the socket has stopped taking writes and the frame would
  // take its queue over the cap: the connection then closes slow_consumer.
  bool enqueue(pubsub::Frame frame, ws::Opcode opcode);
  void scheduleFlush();
  void flush();
  void consumeWritten(std::size_t bytes);

  // Closing: queue the ending (message, close frame) after what is queued; end the TCP
  // connection when both sides have sent theirs, or when the peer does not answer in time.
  void queueEnding(CloseReason reason, protocol::Ending ending);
  void queueCloseFrame(pubsub::Frame frame);
  void finish();

  ByteStream stream_;
  ws::FrameParser parser_;
  ServerContext& ctx_;
  Shard& shard_;
  std::unique_ptr<protocol::Session> session_;  // null while a refusal is delivered
  std::shared_ptr<void> refusal_lease_;           // the refused socket's places under the limits
  TokenBucket inbound_budget_;                   // limits.messages_per_s
  OutboundQueue queue_;
  // While Open, when the peer last sent anything (the silence timeout counts from it);
  // once Closing, when our close frame was queued (the close handshake's timeout).
  std::chrono::steady_clock::time_point since_;
  // Bytes of the front frame (header included) already sent; a frame is far below 4 GiB
  // (limits.body_bytes and the outbound cap bound what is queued).
  std::uint32_t front_written_ = 0;
  State state_ = State::Open;
  Writer writer_ = Writer::Idle;
  bool close_written_ = false;  // our close frame has left
  bool peer_closed_ = false;    // the peer's close frame arrived, or its stream broke
};

}  // namespace sg::net
