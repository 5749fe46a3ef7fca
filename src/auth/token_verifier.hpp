#pragma once
// Turns a bearer credential — a one-time ticket or a JWT — into an Identity, applying the
// bindings of DESIGN §3: a ticket is consumed whatever the outcome, and its client IP and
// Origin must match the presenting connection's; a JWT with a `jti` is one-time.
// In-memory work only, so it runs on the connection's shard.
#include "auth/connect_authenticator.hpp"
#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "tickets/ticket_issuer.hpp"

#include <string_view>

namespace sg::auth {

struct Presentation {
  std::string_view client_ip;
  std::string_view origin;  // empty when the request had none
};

class TokenVerifier {
 public:
  TokenVerifier(tickets::TicketIssuer& tickets, const JwtVerifier& jwt, const Clock& clock)
      : tickets_(tickets), jwt_(jwt), clock_(clock) {}

  // A ticket when it has a ticket's shape, otherwise a JWT.
  ConnectDecision verify(std::string_view token, const Presentation& from);
  ConnectDecision verifyTicket(std::string_view ticket, const Presentation& from);
  ConnectDecision verifyJwt(std::string_view token);

 private:
  tickets::TicketIssuer& tickets_;
  const JwtVerifier& jwt_;
  const Clock& clock_;
};

}  // namespace sg::auth
