#pragma once
// The ConnectAuthenticator sockguard runs: Origin policy first, then the credentials of
// DESIGN §3 in order, first match wins:
//   1. ?ticket=                        one-time ticket
//   2. Sec-WebSocket-Protocol          phoenix 1.8 authToken (a JWT or a ticket); over
//      X-Phoenix-AuthToken             long-poll the same token comes in this header
//   3. session cookie + ?_csrf_token=  only with an allowed Origin, never without one
//   4. ?token=                         JWT, only when auth.query_token is on
//   5. none of these                   anonymous (auth.allow_anonymous), else accepted
//                                      bare, to push `auth` within auth.auth_timeout_s (if
//                                      the endpoint accepts bare sockets from this client:
//                                      Endpoint::acceptsBareSocket)
#include "auth/connect_authenticator.hpp"
#include "auth/origin_policy.hpp"
#include "auth/session_lookup.hpp"
#include "auth/token_verifier.hpp"
#include "core/config.hpp"

namespace sg::auth {

// "phoenix, base64url.bearer.phx.<base64 token>" -> the token, if offered.
std::optional<std::string> phoenixProtocolToken(const http::Request& request);

class HandshakeAuthenticator final : public ConnectAuthenticator {
 public:
  HandshakeAuthenticator(const AuthConfig& config, const OriginPolicy& origins, TokenVerifier& tokens,
                         SessionLookup* sessions)
      : config_(config), origins_(origins), tokens_(tokens), sessions_(sessions) {}

  void authenticate(const http::Request& request, Done done) override;

 private:
  void authenticateSession(std::string session_id, std::string csrf, Done done);

  const AuthConfig& config_;
  const OriginPolicy& origins_;
  TokenVerifier& tokens_;
  SessionLookup* sessions_;  // null: cookie sessions are not available
};

}  // namespace sg::auth
