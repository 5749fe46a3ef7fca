#pragma once
// POST /api/socket/ticket -> {"ticket", "expires_in", "socket_url"}: trades a credential
// for a one-time ticket bound to the caller's user, session, client IP and Origin.
// Three kinds of caller (DESIGN §3):
//   - a browser: session cookie + X-CSRF-Token header (Origin must be allowed);
//   - a client with a long-lived JWT: Authorization: Bearer <jwt>;
//   - a backend: Authorization: Bearer <server API key> and {"user_id", ["client_ip"],
//     ["origin"]} (a backend mints for someone else, so bindings are what it names).
#include "app/ticket_minting.hpp"
#include "auth/api_keys.hpp"
#include "auth/origin_policy.hpp"
#include "auth/session_lookup.hpp"
#include "auth/token_verifier.hpp"
#include "http/router.hpp"

namespace sg::app {

struct TicketApiDeps {
  TicketMinting& minting;
  auth::TokenVerifier& tokens;
  const auth::ApiKeys& api_keys;
  const auth::OriginPolicy& origins;
  auth::SessionLookup* sessions;  // null: cookie sessions not available
};

void addTicketRoutes(http::Router& router, TicketApiDeps deps);

// The socket URL a ticket is for, on the host the request came to: ws(s)://host/socket.
std::string socketUrl(const http::Request& req);

}  // namespace sg::app
