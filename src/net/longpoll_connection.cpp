#include "net/longpoll_connection.hpp"

#include "core/utf8.hpp"

#include <boost/asio/post.hpp>

namespace sg::net {
using Clock = std::chrono::steady_clock;
namespace lp = protocol::longpoll;

namespace {
// The stock client hands each message of an answer to the socket in a task of its own, and
// drops the tasks still waiting when it stops (which telling it the end does): the end is
// told this long after the last messages were taken, so that they are handled first (a
// connect_error, say).
constexpr auto kEndAfterMessages = std::chrono::milliseconds(100);
}  // namespace

LongPollConnection::LongPollConnection(ServerContext& ctx, Shard& shard, std::string id, std::string user_id)
    : ctx_(ctx), shard_(shard), id_(std::move(id)), user_id_(std::move(user_id)), alive_(std::make_shared<int>(0)),
      inbound_budget_(ctx.deps.config.limits.messages_per_s, ctx.deps.config.limits.message_burst, Clock::now()),
      max_message_bytes_(ctx.deps.config.limits.frame_bytes), timer_(shard.ioc), last_poll_(Clock::now()) {}

LongPollConnection::~LongPollConnection() {
  // Still registered: the server is going down with the session open.
  if (is_linked()) obs::add(ctx_.deps.metrics.connections_open, -1);
}

void LongPollConnection::start(std::unique_ptr<protocol::Session> session) {
  session_ = std::move(session);
  shard_.sessions.push_back(*this);
  obs::inc(ctx_.deps.metrics.connections_total);
  obs::add(ctx_.deps.metrics.connections_open, 1);
  session_->start();
}

protocol::Transport::Poster LongPollConnection::poster() {
  return [weak = weak_from_this(), ioc = &shard_.ioc](std::function<void()> task) {
    boost::asio::post(*ioc, [weak, task = std::move(task)] {
      auto self = weak.lock();
      if (self && !self->finished_) task();
    });
  };
}

// --- polls -------------------------------------------------------------------------

void LongPollConnection::poll(std::string token, Answer answer) {
  auto now = Clock::now();
  last_poll_ = now;
  if (held_) {
    // A newer poll takes over (the client gave the old one up): the old one goes now,
    // rather than holding its connection until the window ends.
    auto old = std::move(held_);
    held_ = nullptr;
    old(messagesAnswer(lp::kNoContent, held_token_));
  }
  if (!buffer_.empty()) return answer(messagesAnswer(lp::kOk, token));
  if (end_ && now >= last_taken_ + kEndAfterMessages) {
    answer(endAnswer());
    return forget();  // told: nothing more to keep
  }
  held_ = std::move(answer);
  held_token_ = std::move(token);
  armTimer(end_ ? last_taken_ + kEndAfterMessages
                : now + std::chrono::milliseconds(ctx_.deps.config.longpoll.poll_timeout_ms));
}

void LongPollConnection::post(std::vector<lp::Part> parts, Answer answer) {
  for (auto& part : parts) {
    if (end_ || !session_) break;
    // The limits of WebSocket messages, message by message.
    if (!inbound_budget_.take(Clock::now())) {
      closeWith(CloseReason::RateLimited, 1000);
      break;
    }
    if (part.data.size() > max_message_bytes_) {
      close(CloseReason::MessageTooBig);
      break;
    }
    if (part.binary) {
      session_->onBinary(part.data);
    } else if (!isValidUtf8(part.data)) {
      close(CloseReason::InvalidPayload);
      break;
    } else {
      session_->onText(part.data);
    }
  }
  http::Response r;
  if (end_) r = endAnswer();
  else r.body = lp::statusAnswer(lp::kOk);
  answer(std::move(r));
}

http::Response LongPollConnection::messagesAnswer(int status, const std::string& token) {
  http::Response r;
  if (status == lp::kOk) {
    r.body = lp::pollAnswer(status, token, buffer_);
    buffer_.clear();
    buffered_bytes_ = 0;
    last_taken_ = Clock::now();
  } else {
    r.body = lp::pollAnswer(status, token, {});
  }
  return r;
}

http::Response LongPollConnection::endAnswer() const {
  int status = lp::endedStatus(end_->reason);
  http::Response r;
  r.body = lp::refusalAnswer(status, end_->reason, end_->retry_after_ms);
  // A session gone is the protocol's own answer (HTTP 200, as Phoenix); a refusal is one
  // in HTTP too, for proxies and logs. The client reads the status in the body either way.
  if (status != lp::kGone) {
    r.status = closeInfo(end_->reason).http_status;
    if (end_->retry_after_ms) r.with("Retry-After", std::to_string((*end_->retry_after_ms + 999) / 1000));
  }
  return r;
}

void LongPollConnection::answerHeld() {
  if (!held_) return;
  if (buffer_.empty() && !end_) return;
  auto answer = std::move(held_);
  held_ = nullptr;
  last_poll_ = Clock::now();
  if (!buffer_.empty()) {
    answer(messagesAnswer(lp::kOk, held_token_));
    return windowEnded();
  }
  if (Clock::now() < last_taken_ + kEndAfterMessages) {
    held_ = std::move(answer);
    return armTimer(last_taken_ + kEndAfterMessages);
  }
  answer(endAnswer());
  forget();
}

void LongPollConnection::windowEnded() {
  if (finished_) {
    // The end is the next poll's answer: it waits for that poll as long as an idle session would.
    armTimer(Clock::now() + std::chrono::seconds(ctx_.deps.config.longpoll.idle_timeout_s));
    return;
  }
  ++timer_generation_;
  timer_.cancel();
}

void LongPollConnection::flushQueued() {
  flush_scheduled_ = false;
  answerHeld();
}

void LongPollConnection::scheduleFlush() {
  // With the shard's next flush: a batch of broadcasts leaves in one answer.
  if (flush_scheduled_) return;
  flush_scheduled_ = true;
  shard_.requestFlush(shared_from_this());
}

void LongPollConnection::armTimer(Clock::time_point deadline) {
  // A wait that completed before it was replaced still runs: the generation tells it.
  auto generation = ++timer_generation_;
  timer_.expires_at(deadline);
  timer_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!self || ec || generation != self->timer_generation_) return;
    if (self->held_) {
      auto answer = std::move(self->held_);
      self->held_ = nullptr;
      self->last_poll_ = Clock::now();
      if (!self->end_) return answer(self->messagesAnswer(lp::kNoContent, self->held_token_));
      answer(self->endAnswer());
      self->forget();
    } else if (self->finished_) {
      self->forget();  // its end was never asked for
    }
  });
}

// --- sending -----------------------------------------------------------------------

protocol::SendResult LongPollConnection::send(pubsub::Frame frame, bool binary) {
  if (end_) return protocol::SendResult::Closed;
  // Long-poll messages are JSON strings: the client has no way to receive a binary frame
  // over it (documented; V1 sockets do not get binary broadcasts either).
  if (binary) return protocol::SendResult::Queued;
  std::size_t n = frame->size();
  if (buffered_bytes_ + n > ctx_.deps.config.limits.outbound_queue_bytes && !buffer_.empty()) {
    close(CloseReason::SlowConsumer);
    return protocol::SendResult::Overflow;
  }
  buffered_bytes_ += n;
  buffer_.push_back(std::move(frame));
  if (held_) scheduleFlush();
  return protocol::SendResult::Queued;
}

// --- ending ------------------------------------------------------------------------

void LongPollConnection::closeWith(CloseReason reason, std::optional<int> retry_after_ms) {
  if (end_) return;
  end_ = End{reason, retry_after_ms};
  ctx_.deps.metrics.closed(reason);
  if (reason == CloseReason::SlowConsumer) {
    // The client is not taking what waits: it would not reach it in time anyway.
    buffer_.clear();
    buffered_bytes_ = 0;
  }
  if (session_) {
    auto ending = session_->ending(reason, retry_after_ms);
    if (ending.message) buffer_.push_back(std::make_shared<const std::string>(std::move(*ending.message)));
  }
  // Never re-enter the caller (a session method may be on the stack): the session goes on
  // the next turn.
  boost::asio::post(shard_.ioc, [self = shared_from_this()] { self->finish(); });
  if (held_) scheduleFlush();
}

void LongPollConnection::finish() {
  if (finished_) return;
  finished_ = true;
  if (session_) session_->onEnded();
  alive_.reset();
  if (is_linked()) {
    unlink();
    obs::add(ctx_.deps.metrics.connections_open, -1);
  }
  session_.reset();  // its identity, its places under the limits
  // Kept as the answer telling the end until a poll asks (a held one is answered with the
  // shard's flush) or the idle time has passed.
  if (!held_) armTimer(Clock::now() + std::chrono::seconds(ctx_.deps.config.longpoll.idle_timeout_s));
}

void LongPollConnection::forget() {
  // Callers hold a reference: this object outlives the erase.
  auto it = shard_.long_polls.find(id_);
  if (it != shard_.long_polls.end() && it->second.get() == this) shard_.long_polls.erase(it);
}

void LongPollConnection::checkDeadlines(Clock::time_point now) {
  if (end_ || !session_) return;
  session_->checkDeadlines(now);  // credential expiry
  if (end_) return;
  // No poll in flight for too long: the client has gone (it sends no heartbeats over long-poll).
  if (!held_ && now - last_poll_ > std::chrono::seconds(ctx_.deps.config.longpoll.idle_timeout_s)) {
    close(CloseReason::HeartbeatTimeout);
  }
}

}  // namespace sg::net
