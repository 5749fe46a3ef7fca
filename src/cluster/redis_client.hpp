#pragma once
// sockguard's one client of a Redis server: a thread of its own with an io_context, where
// hiredis runs two connections (RedisLink): one for commands and one for subscriptions
// (a subscribed connection can do nothing else). ready() is true while both are up;
// while the command connection is down, commands fail at once with Errc::unavailable
// (never wait), and on every reconnect the client subscribes again to every channel still
// wanted. No hiredis or Asio
// in this header.
#include "cluster/redis_reply.hpp"
#include "cluster/redis_url.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sg::cluster {

class RedisClient {
 public:
  // Runs on the client's thread, or inline on the caller's when Redis is down.
  using Done = std::function<void(RedisResult)>;
  // A message on a subscribed channel, on the client's thread, in the order Redis sent them.
  using OnMessage = std::function<void(const std::string& channel, std::string message)>;

  RedisClient(RedisEndpoint endpoint, std::string node_name);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Set before start().
  void setName(std::string node_name);  // this node, in log lines
  void setOnMessage(OnMessage on_message);
  // Called on the client's thread each time the client is (again) ready().
  void setOnConnected(std::function<void()> on_connected);
  // Called on the client's thread when the subscription connection drops: from then until
  // on_connected, messages published by other nodes do not reach this one.
  void setOnSubscriptionsLost(std::function<void()> on_lost);

  void start();
  // Fails what is pending and joins the thread. Idempotent.
  void stop();

  // Both connections up. Any thread; the /readyz answer.
  bool ready() const;
  // Any thread. `done` runs exactly once. Needs the command connection only.
  void command(std::vector<std::string> args, Done done);
  // Several commands written together (one round trip); `done` gets the last reply, or
  // the first failure of the connection. Any thread.
  void pipeline(std::vector<std::vector<std::string>> commands, Done done);
  // Any thread; the order of calls for one channel is kept. Re-sent on every reconnect.
  // `confirmed` (may be empty) runs once on the client's thread: when Redis has confirmed
  // the subscription, at once when it already had, or when the subscription connection is
  // down (then nothing published reaches this node until it is back, subscribed again).
  void subscribe(std::string channel, std::function<void()> confirmed);
  void subscribe(std::string channel) { subscribe(std::move(channel), {}); }
  void unsubscribe(std::string channel);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sg::cluster
