#pragma once
// A WebSocket endpoint: a path and the protocol spoken there, chosen at the upgrade by
// path and Sec-WebSocket-Protocol (as uWebSockets routes ws(pattern, behavior)). The
// endpoint checks its protocol's own parameters, names the subprotocol to answer, says
// how a refused upgrade is told (Ending), and makes the Session of an accepted one.
#include "auth/admission.hpp"
#include "auth/connect_authenticator.hpp"
#include "core/config.hpp"
#include "http/request.hpp"
#include "protocol/session.hpp"
#include "protocol/transport.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sg::protocol {

struct SessionStart {
  Transport& transport;
  std::size_t shard;
  const http::Request& request;
  auth::Admitted admitted;
  std::shared_ptr<auth::Admission::Lease> lease;  // the socket's places under the limits
};

class Endpoint {
 public:
  virtual ~Endpoint() = default;
  virtual std::string_view path() const = 0;
  // Where the same protocol is served over HTTP long-poll ("" for nowhere). Its sessions are
  // made by create() too, over a long-poll transport instead of a WebSocket.
  virtual std::string_view longPollPath() const { return {}; }
  // Whether this endpoint speaks what the upgrade offers in Sec-WebSocket-Protocol.
  virtual bool accepts(const http::Request& upgrade) const = 0;
  // The protocol's own checks of the upgrade (Phoenix: vsn): the subprotocol to answer
  // ("" for none), or the refusal, which is always told as plain HTTP (before the upgrade).
  virtual auth::Verdict<std::string> negotiate(const http::Request& upgrade) const = 0;
  // How a refused upgrade is told, over the upgraded socket, to clients that read it.
  virtual Ending refusal(const http::Request& upgrade, CloseReason reason, std::optional<int> retry_after_ms) const = 0;
  // Whether this client reads that (refusal() after a 101) rather than a plain HTTP status.
  // By default as auth.reject_with says; Phoenix asks the client (auth/refusal_style.hpp).
  virtual bool readsRefusals(const http::Request& upgrade, const AuthConfig& auth) const {
    (void)upgrade;
    return auth.reject_with != "http";
  }
  // Whether a socket without credentials may be accepted to authenticate by its first
  // message. By default yes; Phoenix only for clients that read refusals.
  virtual bool acceptsBareSocket(const http::Request& upgrade, const AuthConfig& auth) const {
    (void)upgrade;
    (void)auth;
    return true;
  }
  virtual std::unique_ptr<Session> create(SessionStart start) const = 0;
};

// The endpoints a server serves; built at start, then read-only.
class Endpoints {
 public:
  void add(std::unique_ptr<Endpoint> endpoint) { list_.push_back(std::move(endpoint)); }
  // The first endpoint at the upgrade's path that accepts it; null when none does.
  const Endpoint* find(const http::Request& upgrade) const {
    for (const auto& e : list_)
      if (e->path() == upgrade.path && e->accepts(upgrade)) return e.get();
    return nullptr;
  }
  // The endpoint serving long-poll at `path`; null when none does.
  const Endpoint* findLongPoll(std::string_view path) const {
    for (const auto& e : list_)
      if (!e->longPollPath().empty() && e->longPollPath() == path) return e.get();
    return nullptr;
  }
  // Whether any endpoint lives at `path` (to tell 404 from a refused subprotocol).
  bool serves(std::string_view path) const {
    for (const auto& e : list_)
      if (e->path() == path) return true;
    return false;
  }

 private:
  std::vector<std::unique_ptr<Endpoint>> list_;
};

}  // namespace sg::protocol
