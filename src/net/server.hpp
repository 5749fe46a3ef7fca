#pragma once
// The network front of sockguard: a listener spreading accepted connections over the
// shards, HTTP/1.1 sessions answered through http::Router, and WebSocket upgrades routed
// by path and subprotocol to a protocol::Endpoint, authenticated by the
// ConnectAuthenticator, and carried by a WebSocket connection that speaks RFC 6455 for
// the endpoint's protocol session. net/ owns bytes only; Beast and Asio stay behind this
// header.
#include "auth/admission.hpp"
#include "auth/connect_authenticator.hpp"
#include "core/config.hpp"
#include "http/client_ip.hpp"
#include "http/router.hpp"
#include "net/shards.hpp"
#include "obs/metrics.hpp"
#include "obs/redact.hpp"
#include "protocol/endpoint.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sg::protocol {
class LongPollTokens;
}
namespace sg::auth {
class OriginPolicy;
}

namespace sg::net {

class TlsContext;

struct ServerDeps {
  const Config& config;
  Shards& shards;
  const http::Router& router;
  const protocol::Endpoints& endpoints;  // what a WebSocket upgrade may speak, by path
  auth::Admission& admission;  // per-IP/user/total limits, checked before any credential work
  auth::ConnectAuthenticator& authenticator;
  const http::TrustedProxies& proxies;
  obs::Metrics& metrics;
  const obs::Redactor& redactor;
  TlsContext* tls;  // null: plain TCP; else every connection speaks TLS (reloaded on SIGHUP)
  // Long-poll (endpoints with a long-poll path): its session tokens and the Origin policy
  // its every request is checked against. Null: long-poll is not served.
  const protocol::LongPollTokens* longpoll_tokens = nullptr;
  const auth::OriginPolicy* origins = nullptr;
};

class Server {
 public:
  explicit Server(ServerDeps deps);
  ~Server();

  // Binds the listening socket; returns the bound port (useful with port 0). Throws
  // std::runtime_error with a readable message when the address cannot be bound.
  std::uint16_t bind();
  // Runs the shards; returns after stop() has drained them. Installs SIGINT/SIGTERM, and
  // with TLS, SIGHUP (re-reads the certificate and key; open connections keep theirs).
  void run();
  // Stops accepting, closes every socket with going_away, and makes run() return within
  // the configured grace period. Any thread.
  void stop();

  // Closes, on every shard of this node, each open WebSocket connection whose identity
  // matches `user_id` (and `session_ref` when not empty) with `reason`. Any thread;
  // returns at once. (Revocations call it for every node's revocations.)
  void closeConnections(std::string user_id, std::string session_ref, CloseReason reason);
  // Runs `task` every `interval` on shard 0 until stop(). Call before run().
  void every(std::chrono::milliseconds interval, std::function<void()> task);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sg::net
