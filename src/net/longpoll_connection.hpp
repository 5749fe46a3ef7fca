#pragma once
// One Phoenix long-poll session: the transport under a protocol session (the same
// PhoenixSession a WebSocket carries), living on one shard like a WebSocket connection,
// in its session list (sweeps, revocation, shutdown) and, through its protocol session,
// subscribed to the hub like any other socket. What the session sends waits in a bounded
// buffer (limits.outbound_queue_bytes; slow_consumer beyond) until a poll takes it; a poll
// with nothing to take is held until something comes or longpoll.poll_timeout_ms passes.
// POSTed messages reach the session under the same inbound limits as WebSocket messages.
//
// When the session ends, its protocol's last message (connect_error) is the last thing a
// poll takes; the poll after it is told the end (403 / 500 / 410 with the reason). The
// object stays on the shard as that answer until it has been told or
// longpoll.idle_timeout_s has passed. Internal to net/.
#include "core/token_bucket.hpp"
#include "http/response.hpp"
#include "net/server_context.hpp"
#include "protocol/phoenix_longpoll.hpp"
#include "protocol/session.hpp"
#include "protocol/transport.hpp"

#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace sg::net {

class LongPollConnection final : public std::enable_shared_from_this<LongPollConnection>,
                                 public ShardSession,
                                 public protocol::Transport {
 public:
  // Answers one HTTP request (any thread: it takes the answer to the request's connection).
  using Answer = std::function<void(http::Response)>;

  LongPollConnection(ServerContext& ctx, Shard& shard, std::string id, std::string user_id);
  ~LongPollConnection() override;

  const std::string& id() const { return id_; }
  const std::string& userId() const { return user_id_; }
  // Registers on the shard and starts `session` (made by the endpoint over this transport).
  void start(std::unique_ptr<protocol::Session> session);
  // A GET. `token` is the fresh session token its answer carries.
  void poll(std::string token, Answer answer);
  // A POST: its messages go to the session in order, then it is answered.
  void post(std::vector<protocol::longpoll::Part> parts, Answer answer);

  // ShardSession (close() is shared with protocol::Transport)
  void checkDeadlines(std::chrono::steady_clock::time_point now) override;
  void close(CloseReason reason) override { closeWith(reason, std::nullopt); }
  const Identity* identity() const override { return session_ ? session_->identity() : nullptr; }
  void flushQueued() override;

  // protocol::Transport
  protocol::SendResult send(pubsub::Frame frame, bool binary) override;
  void closeWith(CloseReason reason, std::optional<int> retry_after_ms) override;
  void setMaxMessageBytes(std::size_t bytes) override { max_message_bytes_ = bytes; }
  Poster poster() override;
  std::weak_ptr<const void> lifetime() const override { return alive_; }

 private:
  struct End {
    CloseReason reason;
    std::optional<int> retry_after_ms;
  };

  // Answers the held poll, if any: with what is buffered, or the end once nothing is.
  void answerHeld();
  // The held poll was answered before its window ran out: the window's timer no longer
  // applies (left armed, it would forget a finished session before its end was told).
  void windowEnded();
  http::Response messagesAnswer(int status, const std::string& token);
  http::Response endAnswer() const;
  void scheduleFlush();
  // The held poll's window, or (once finished) how long the end waits to be asked for.
  void armTimer(std::chrono::steady_clock::time_point deadline);
  // The session is over: leave every topic, give its places under the limits back, and
  // stay only as the answer that tells its end.
  void finish();
  void forget();

  ServerContext& ctx_;
  Shard& shard_;
  std::string id_;
  std::string user_id_;
  std::unique_ptr<protocol::Session> session_;
  std::shared_ptr<const void> alive_;  // lifetime(): expires with the session, not with this object
  TokenBucket inbound_budget_;         // limits.messages_per_s
  std::size_t max_message_bytes_;
  std::deque<pubsub::Frame> buffer_;
  std::size_t buffered_bytes_ = 0;
  Answer held_;                        // the poll waiting for messages
  std::string held_token_;
  boost::asio::steady_timer timer_;    // the held poll's window; then the end's last wait
  std::uint64_t timer_generation_ = 0;
  std::chrono::steady_clock::time_point last_poll_;
  std::chrono::steady_clock::time_point last_taken_{};  // when a poll last took messages
  std::optional<End> end_;
  bool flush_scheduled_ = false;
  bool finished_ = false;
};

}  // namespace sg::net
