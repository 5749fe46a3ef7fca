#include "net/websocket_connection.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <cstring>

namespace sg::net {
using Clock = std::chrono::steady_clock;

namespace {

// How long a closing socket may take to answer our close frame (or to read it).
constexpr auto kCloseHandshakeTimeout = std::chrono::seconds(5);
// Reads per readiness event: one busy client cannot hold its shard for long.
constexpr int kReadsPerWake = 4;

// Expected ends of a connection: not worth a log line above debug.
bool isNormalEnd(const boost::system::error_code& ec) {
  namespace error = boost::asio::error;
  return ec == error::eof || ec == error::connection_reset || ec == error::operation_aborted ||
         ec == error::broken_pipe;
}

// The answer to a peer's close frame. The usual ones (1000, or no code) are the same bytes
// for every connection: made once per shard thread and shared, not allocated per close.
pubsub::Frame peerCloseAnswer(std::optional<std::uint16_t> code) {
  thread_local const pubsub::Frame kEmpty = std::make_shared<const std::string>();
  thread_local const pubsub::Frame kNormal = std::make_shared<const std::string>(ws::closePayload(1000, {}));
  if (!code) return kEmpty;
  if (*code == 1000) return kNormal;
  return std::make_shared<const std::string>(ws::closePayload(*code, {}));
}

}  // namespace

WebSocketConnection::WebSocketConnection(ByteStream stream, ServerContext& ctx, Shard& shard,
                                         std::size_t max_message_bytes)
    : stream_(std::move(stream)), parser_(max_message_bytes), ctx_(ctx), shard_(shard),
      inbound_budget_(ctx.deps.config.limits.messages_per_s, ctx.deps.config.limits.message_burst, Clock::now()),
      queue_(ctx.deps.config.limits.outbound_queue_bytes), since_(Clock::now()) {
  ctx_.sockets_open.fetch_add(1, std::memory_order_relaxed);
}

WebSocketConnection::~WebSocketConnection() {
  ctx_.sockets_open.fetch_sub(1, std::memory_order_relaxed);
  obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(queue_.bytes()));
}

void WebSocketConnection::register_() {
  shard_.sessions.push_back(*this);
  obs::inc(ctx_.deps.metrics.connections_total);
  obs::add(ctx_.deps.metrics.connections_open, 1);
}

void WebSocketConnection::start(std::unique_ptr<protocol::Session> session, std::string early) {
  session_ = std::move(session);
  register_();
  session_->start();
  if (!early.empty()) feed(early.data(), early.size());
  if (state_ != State::Done) awaitReadable();
}

void WebSocketConnection::refuse(CloseReason reason, protocol::Ending ending, std::shared_ptr<void> lease,
                                 std::string early) {
  refusal_lease_ = std::move(lease);
  register_();
  // A browser cannot read the status of a refused upgrade, so refusals are delivered over
  // the open socket: one readable message, then the close code.
  queueEnding(reason, std::move(ending));
  if (!early.empty()) feed(early.data(), early.size());
  if (state_ != State::Done) awaitReadable();  // reads until the peer answers the close
}

protocol::Transport::Poster WebSocketConnection::poster() {
  return [weak = weak_from_this(), ioc = &shard_.ioc](std::function<void()> task) {
    boost::asio::post(*ioc, [weak, task = std::move(task)] {
      auto self = weak.lock();
      if (self && self->state_ != State::Done) task();
    });
  };
}

// --- reading -----------------------------------------------------------------------

void WebSocketConnection::awaitReadable() {
  stream_.waitReadable([self = shared_from_this()](boost::system::error_code ec) { self->onReadable(ec); });
}

void WebSocketConnection::onReadable(boost::system::error_code ec) {
  if (state_ == State::Done) return;
  if (ec) return finish();
  // The session's answers to what is read here (a join reply, a pong) leave in one write
  // when the read ends, rather than with the shard's next batch a round of the event
  // loop later. Already waiting for that batch or for the socket to drain: unchanged.
  bool corked = writer_ == Writer::Idle;
  if (corked) writer_ = Writer::Reading;
  readAvailable();
  if (!corked || writer_ != Writer::Reading) return;
  writer_ = Writer::Idle;
  if (state_ != State::Done && (!queue_.empty() || stream_.hasPendingOutput())) flush();
}

void WebSocketConnection::readAvailable() {
  auto& scratch = shard_.read_scratch;
  for (int round = 0; round < kReadsPerWake; ++round) {
    auto n = stream_.readSome(scratch);
    if (!n && wouldBlock(n.error())) return awaitReadable();
    if (!n) {
      if (!isNormalEnd(n.error())) spdlog::debug("websocket read ended: {}", n.error().message());
      return finish();  // the peer is gone, with or without a close frame
    }
    if (state_ == State::Open) since_ = Clock::now();
    // Reading TLS may have produced records to send (alerts, key updates).
    if (stream_.hasPendingOutput()) scheduleFlush();
    feed(scratch.data(), *n);
    if (state_ == State::Done) return;
    // The peer's close frame is in: nothing more is read, and our answer ends the
    // connection once it is written (no wait armed for it, no system call for that).
    if (peer_closed_) return;
    if (*n < scratch.size() && !stream_.buffersInput()) return awaitReadable();
  }
  // More may be waiting (a busy client, or records inside TLS): let others run first.
  boost::asio::post(shard_.ioc, [self = shared_from_this()] { self->onReadable({}); });
}

void WebSocketConnection::feed(char* data, std::size_t n) {
  switch (parser_.feed(data, n, *this)) {
    case ws::FrameError::None: break;
    case ws::FrameError::TooBig: close(CloseReason::MessageTooBig); break;
    case ws::FrameError::Protocol: close(CloseReason::ProtocolError); break;
    case ws::FrameError::InvalidUtf8: close(CloseReason::InvalidPayload); break;
  }
  if (parser_.stopped()) {
    // Nothing more will be read from this peer (RFC 6455 §7.1.7: a broken stream is
    // failed, not drained): end the connection once our close frame has left.
    peer_closed_ = true;
    if (close_written_) finish();
  }
}

void WebSocketConnection::onMessage(bool binary, std::string_view payload) {
  if (state_ != State::Open) return;  // closing: what the peer still sends is not processed
  if (!inbound_budget_.take(since_)) {
    return closeWith(CloseReason::RateLimited, 1000);  // a flood: the client must slow down
  }
  if (!session_) return;
  if (binary) session_->onBinary(payload);
  else session_->onText(payload);
}

void WebSocketConnection::onPing(std::string_view payload) {
  if (state_ != State::Open) return;
  if (!inbound_budget_.take(since_)) return closeWith(CloseReason::RateLimited, 1000);
  enqueue(std::make_shared<const std::string>(payload), ws::Opcode::Pong);
}

void WebSocketConnection::onPeerClose(std::optional<std::uint16_t> code) {
  peer_closed_ = true;
  if (state_ != State::Open) {
    if (close_written_) finish();  // the answer to our close: done
    return;
  }
  // The peer closes first: answer with its code (RFC 6455 §5.5.1), then end.
  queueCloseFrame(peerCloseAnswer(code));
}

// --- writing -----------------------------------------------------------------------

protocol::SendResult WebSocketConnection::send(pubsub::Frame frame, bool binary) {
  if (state_ != State::Open) return protocol::SendResult::Closed;
  if (!enqueue(std::move(frame), binary ? ws::Opcode::Binary : ws::Opcode::Text)) {
    return protocol::SendResult::Overflow;
  }
  return protocol::SendResult::Queued;
}

bool WebSocketConnection::enqueue(pubsub::Frame frame, ws::Opcode opcode) {
  std::size_t n = frame->size();
  if (!queue_.push(frame, opcode)) {
    // The cap is on what the peer has not taken. While the socket still accepts writes,
    // queued bytes only wait for the shard's next flush (batching, a bounded pause).
    if (writer_ == Writer::AwaitingWritable) {
      close(CloseReason::SlowConsumer);
      return false;
    }
    queue_.pushAnyway(std::move(frame), opcode);
  }
  obs::add(ctx_.deps.metrics.queued_bytes, static_cast<std::int64_t>(n));
  if (writer_ != Writer::Reading) shard_.noteQueued();  // written by the shard's next flush
  scheduleFlush();
  return true;
}

void WebSocketConnection::scheduleFlush() {
  if (writer_ != Writer::Idle || state_ == State::Done) return;
  writer_ = Writer::FlushScheduled;
  shard_.requestFlush(shared_from_this());
}

void WebSocketConnection::flushQueued() {
  if (writer_ == Writer::FlushScheduled) writer_ = Writer::Idle;
  flush();
}

void WebSocketConnection::flush() {
  if (state_ == State::Done || writer_ == Writer::AwaitingWritable) return;
  auto& scratch = shard_.write_scratch;
  bool blocked = false;
  if (stream_.hasPendingOutput()) {
    auto flushed = stream_.flush();
    if (!flushed && !wouldBlock(flushed.error())) return finish();
    blocked = !flushed;
  }
  while (!blocked && !queue_.empty()) {
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
    boost::system::result<std::size_t> written;
    if (frames > 0) {
      boost::asio::const_buffer gathered(scratch.data(), used);
      written = stream_.writeSome({&gathered, 1});
    } else {
      // The front frame alone is larger than the scratch buffer: write it where it is.
      const auto& item = queue_.front();
      ws::FrameHeader header(item.opcode, item.frame->size());
      std::array<boost::asio::const_buffer, 2> parts{boost::asio::buffer(header.data(), header.size()),
                                                     boost::asio::buffer(*item.frame)};
      std::size_t sent = front_written_;
      parts[0] += std::min(sent, header.size());
      parts[1] += sent > header.size() ? sent - header.size() : 0;
      used = parts[0].size() + parts[1].size();
      written = stream_.writeSome(parts);
    }
    obs::inc(ctx_.deps.metrics.socket_writes);
    if (!written && wouldBlock(written.error())) break;
    if (!written) {
      if (!isNormalEnd(written.error())) spdlog::debug("websocket write failed: {}", written.error().message());
      return finish();
    }
    consumeWritten(*written);
    if (*written < used || stream_.hasPendingOutput()) break;  // the socket's send buffer is full
  }
  if (!queue_.empty() || stream_.hasPendingOutput()) {
    // Wait until the peer has read enough for the rest.
    writer_ = Writer::AwaitingWritable;
    stream_.waitWritable([self = shared_from_this()](boost::system::error_code ec) {
      self->writer_ = Writer::Idle;
      if (self->state_ == State::Done) return;
      if (ec) return self->finish();
      self->flush();
    });
    return;
  }
  if (close_written_ && peer_closed_) finish();
}

void WebSocketConnection::consumeWritten(std::size_t bytes) {
  while (bytes > 0) {
    const auto& item = queue_.front();
    std::size_t size = item.frame->size();
    std::size_t left = ws::FrameHeader::sizeFor(size) + size - front_written_;
    if (bytes < left) {
      front_written_ += static_cast<std::uint32_t>(bytes);  // bytes < left: within the frame
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

void WebSocketConnection::closeWith(CloseReason reason, std::optional<int> retry_after_ms) {
  if (state_ != State::Open) return;
  protocol::Ending ending;
  if (session_) {
    ending = session_->ending(reason, retry_after_ms);
  } else {
    const auto& info = closeInfo(reason);
    ending = protocol::Ending{std::nullopt, info.code, std::string(info.name)};
  }
  // A bare socket that never authenticated was, in the end, refused (DESIGN §4 counts
  // every refusal by reason).
  if (session_ && session_->authPending()) ctx_.deps.metrics.refused(reason);
  queueEnding(reason, std::move(ending));
}

void WebSocketConnection::queueEnding(CloseReason reason, protocol::Ending ending) {
  ctx_.deps.metrics.closed(reason);
  if (reason == CloseReason::SlowConsumer) {
    // The client is not reading: what is queued will not reach it in time anyway. A frame
    // already partly written must be finished, or the close frame would land inside it.
    std::size_t before = queue_.bytes();
    queue_.drop(/*keep_front=*/front_written_ > 0);
    obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(before - queue_.bytes()));
  }
  if (ending.message) {
    auto message = std::make_shared<const std::string>(std::move(*ending.message));
    obs::add(ctx_.deps.metrics.queued_bytes, static_cast<std::int64_t>(message->size()));
    queue_.pushAnyway(std::move(message), ws::Opcode::Text);
    obs::inc(ctx_.deps.metrics.messages_out);
  }
  queueCloseFrame(std::make_shared<const std::string>(ws::closePayload(ending.code, ending.reason)));
}

void WebSocketConnection::queueCloseFrame(pubsub::Frame frame) {
  state_ = State::Closing;
  since_ = Clock::now();
  obs::add(ctx_.deps.metrics.queued_bytes, static_cast<std::int64_t>(frame->size()));
  queue_.pushAnyway(std::move(frame), ws::Opcode::Close);
  // Never re-enter the caller (it may be iterating subscribers): write on the next turn.
  scheduleFlush();
}

// Ends the connection: no more reads or writes, topics left, the shard forgets it. The
// connection itself goes when the last of its cancelled operations has returned.
void WebSocketConnection::finish() {
  if (state_ == State::Done) return;
  state_ = State::Done;
  stream_.close();
  if (session_) session_->onEnded();
  obs::add(ctx_.deps.metrics.queued_bytes, -static_cast<std::int64_t>(queue_.bytes()));
  queue_.drop(/*keep_front=*/false);
  if (is_linked()) {
    unlink();
    obs::add(ctx_.deps.metrics.connections_open, -1);
  }
}

void WebSocketConnection::checkDeadlines(Clock::time_point now) {
  if (state_ == State::Done) return;
  if (state_ == State::Closing) {
    // The peer neither answers our close nor reads it: stop waiting.
    if (now - since_ > kCloseHandshakeTimeout) finish();
    return;
  }
  if (!session_) return;
  session_->checkDeadlines(now);
  if (state_ != State::Open) return;
  if (now - since_ > std::chrono::seconds(ctx_.deps.config.limits.heartbeat_timeout_s)) {
    close(CloseReason::HeartbeatTimeout);
  }
}

}  // namespace sg::net
