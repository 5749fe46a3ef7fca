#pragma once
// The decision taken on every WebSocket handshake: who is connecting, or why they may
// not. net/ asks; implementations look at Origin and credentials (DESIGN §3) and may
// answer later, from another thread, when a store must be consulted.
#include "auth/refusal.hpp"
#include "core/identity.hpp"
#include "http/request.hpp"

#include <functional>

namespace sg::auth {

struct Admitted {
  Identity identity;                  // who this connection acts for (anonymous when bare)
  bool awaits_first_message = false;  // bare: must authenticate by message within auth_timeout
};

using ConnectDecision = Verdict<Admitted>;

class ConnectAuthenticator {
 public:
  using Done = std::function<void(ConnectDecision)>;
  virtual ~ConnectAuthenticator() = default;
  virtual void authenticate(const http::Request& request, Done done) = 0;
};

}  // namespace sg::auth
