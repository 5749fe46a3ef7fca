#pragma once
// Minting one-time tickets for a caller whose credential checked out (a session or a
// JWT), whatever API asks (POST /api/socket/ticket, the GraphQL `socketTicket` mutation):
// revocations checked again, the per-IP and per-user mint limits applied, the ticket
// bound to the caller's user, session, client IP and Origin (DESIGN §3).
#include "app/api_failure.hpp"
#include "app/ticket_mint_limits.hpp"
#include "auth/token_verifier.hpp"
#include "tickets/ticket_issuer.hpp"

#include <functional>
#include <string>

namespace sg::app {

class TicketMinting {
 public:
  TicketMinting(tickets::TicketIssuer& tickets, auth::TokenVerifier& tokens, TicketMintLimits& limits)
      : tickets_(tickets), tokens_(tokens), limits_(limits) {}

  using Done = std::function<void(ApiResult<tickets::Minted>)>;
  // For `who`, bound to the request's client IP and Origin ("" when it sent none).
  void mintFor(Identity who, std::string client_ip, std::string origin, Done done);
  // Claims as given (a backend minting for someone else names the bindings); no limits.
  void mint(tickets::TicketClaims claims, Done done);
  // mint()'s answer on the spot when the ticket store answers without waiting
  // (TicketIssuer::mintNow); nullopt otherwise, and then `claims` are untouched.
  std::optional<ApiResult<tickets::Minted>> mintNow(tickets::TicketClaims&& claims);

 private:
  tickets::TicketIssuer& tickets_;
  auth::TokenVerifier& tokens_;
  TicketMintLimits& limits_;
};

// The failure for a refused credential (401/403/503 by the close table, DESIGN §4).
ApiFailure credentialRefused(CloseReason reason, std::string message);

}  // namespace sg::app
