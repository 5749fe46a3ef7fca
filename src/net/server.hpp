#pragma once
// The network front of sockguard: N shards (one io_context and thread each), one
// listener spreading accepted connections over them, HTTP/1.1 sessions routed through
// http::Router, and WebSocket sessions speaking Phoenix Channels. Beast and Asio stay
// behind this header.
#include "auth/admission.hpp"
#include "auth/connect_authenticator.hpp"
#include "auth/token_verifier.hpp"
#include "channels/channel_registry.hpp"
#include "core/config.hpp"
#include "http/client_ip.hpp"
#include "http/router.hpp"
#include "obs/metrics.hpp"
#include "obs/redact.hpp"
#include "pubsub/pubsub.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sg::net {

struct ServerDeps {
  const Config& config;
  const http::Router& router;
  const channels::ChannelRegistry& channels;
  auth::Admission& admission;  // per-IP/user/total limits, checked before any credential work
  auth::ConnectAuthenticator& authenticator;
  auth::TokenVerifier* tokens;  // first-message `auth` and `refresh_token`; null: not offered
  const http::TrustedProxies& proxies;
  obs::Metrics& metrics;
  const obs::Redactor& redactor;
};

class Server {
 public:
  explicit Server(ServerDeps deps);
  ~Server();

  // Binds the listening socket; returns the bound port (useful with port 0). Throws
  // std::runtime_error with a readable message when the address cannot be bound.
  std::uint16_t bind();
  // Runs the shards; returns after stop() has drained them. Installs SIGINT/SIGTERM.
  void run();
  // Stops accepting, closes every socket with going_away, and makes run() return within
  // the configured grace period. Any thread.
  void stop();

  pubsub::PubSub& pubsub();
  std::size_t shardCount() const;
  // Closes, on every shard, each open WebSocket connection whose identity matches
  // `user_id` (and `session_id` when not empty) with `reason`. Any thread; returns at once.
  void closeConnections(std::string user_id, std::string session_id, CloseReason reason);
  // Runs `task` on a shard's thread (the blocking-work pool posts results back this way).
  void postToShard(std::size_t shard, std::function<void()> task);
  // Runs `task` every `interval` on shard 0 until stop(). Call before run().
  void every(std::chrono::milliseconds interval, std::function<void()> task);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sg::net
