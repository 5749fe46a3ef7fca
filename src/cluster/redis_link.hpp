#pragma once
// One connection to Redis, kept up: connect, AUTH / SELECT / PING, then ready; when it
// drops, every pending command fails (Errc::unavailable) and it connects again after a
// capped, jittered backoff. A command with no answer for kCommandTimeout drops the
// connection too, so that a Redis that hangs fails commands instead of holding them.
// Lives on one io_context thread (as hiredis's context does): every member function but
// isReady() is called on it. Internal to cluster/.
#include "cluster/redis_reply.hpp"
#include "cluster/redis_url.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <string>
#include <vector>

struct redisAsyncContext;

namespace sg::cluster {

class RedisLink {
 public:
  using Done = std::function<void(RedisResult)>;
  struct Hooks {
    std::function<void()> on_ready;  // connected and handshaken (again)
    std::function<void()> on_down;   // lost; pending commands have already failed
  };
  static constexpr std::chrono::milliseconds kBackoffFirst{100};
  static constexpr std::chrono::milliseconds kBackoffMax{2000};
  static constexpr std::chrono::milliseconds kCommandTimeout{2000};

  RedisLink(boost::asio::io_context& ioc, RedisEndpoint endpoint, std::string name, Hooks hooks);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  void setName(std::string name) { name_ = std::move(name); }  // before start(), for logs
  void start();
  // Frees the connection (pending commands fail) and connects no more.
  void stop();
  bool isReady() const { return ready_.load(std::memory_order_acquire); }  // any thread
  // The hiredis context while ready, else null (for subscriptions, which answer many times).
  redisAsyncContext* context() const { return ready_.load(std::memory_order_relaxed) ? ctx_ : nullptr; }
  // Sends a command; `done` runs once, on this thread (inline when the link is down).
  void command(const std::vector<std::string>& args, Done done);

 private:
  struct Pending;
  static void onConnect(const redisAsyncContext* ac, int status);
  static void onDisconnect(const redisAsyncContext* ac, int status);
  static void onReply(redisAsyncContext* ac, void* reply, void* privdata);
  void connect();
  void send(const std::vector<std::string>& args, Done done);
  void handshakeStep(RedisResult result, bool last);
  void lost(const char* why);
  void scheduleReconnect();
  bool loud() const;
  void watch();

  boost::asio::io_context& ioc_;
  RedisEndpoint endpoint_;
  std::string name_;
  Hooks hooks_;
  redisAsyncContext* ctx_ = nullptr;
  std::atomic<bool> ready_{false};
  bool stopped_ = false;
  bool handshake_failed_ = false;
  int attempts_ = 0;
  std::deque<std::chrono::steady_clock::time_point> in_flight_;  // send times, oldest first
  boost::asio::steady_timer reconnect_timer_;
  boost::asio::steady_timer watchdog_;
};

// A hiredis reply as a value (internal; `reply` is a redisReply*, null = the connection
// is gone).
RedisResult toResult(void* reply);

}  // namespace sg::cluster
