#pragma once
// The decision taken on every WebSocket handshake: who is connecting, or why they may
// not. net/ asks; implementations look at Origin and credentials (DESIGN §3) and may
// answer later, from another thread, when a store must be consulted.
#include "core/close_reason.hpp"
#include "core/identity.hpp"
#include "http/request.hpp"

#include <functional>
#include <optional>

namespace sg::auth {

struct ConnectDecision {
  bool accepted = false;
  Identity identity;                    // accepted: who this connection acts for
  bool awaits_first_message = false;    // accepted bare: must push `auth` within auth_timeout
  CloseReason reason = CloseReason::MissingCredentials;  // refused: why
  std::optional<int> retry_after_ms;    // refused with rate_limited / server_busy

  static ConnectDecision accept(Identity who) {
    ConnectDecision d;
    d.accepted = true;
    d.identity = std::move(who);
    return d;
  }
  static ConnectDecision refuse(CloseReason why, std::optional<int> retry_after_ms = std::nullopt) {
    ConnectDecision d;
    d.reason = why;
    d.retry_after_ms = retry_after_ms;
    return d;
  }
};

class ConnectAuthenticator {
 public:
  using Done = std::function<void(ConnectDecision)>;
  virtual ~ConnectAuthenticator() = default;
  virtual void authenticate(const http::Request& request, Done done) = 0;
};

// Accepts every handshake as anonymous when `allow` is true, else refuses it with
// missing_credentials.
class AnonymousAuthenticator final : public ConnectAuthenticator {
 public:
  explicit AnonymousAuthenticator(bool allow) : allow_(allow) {}
  void authenticate(const http::Request&, Done done) override {
    done(allow_ ? ConnectDecision::accept(Identity{}) : ConnectDecision::refuse(CloseReason::MissingCredentials));
  }

 private:
  bool allow_;
};

}  // namespace sg::auth
