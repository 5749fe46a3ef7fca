#include "auth/handshake_authenticator.hpp"

#include "core/encoding.hpp"
#include "core/errors.hpp"
#include "core/text.hpp"

#include "auth/passwords.hpp"
#include "auth/session_cookie.hpp"
#include "http/cookies.hpp"
#include "http/header_list.hpp"


#include <algorithm>

namespace sg::auth {
namespace {

constexpr std::string_view kProtocolPrefix = "base64url.bearer.phx.";

}  // namespace

std::optional<std::string> phoenixProtocolToken(const http::Request& request) {
  std::optional<std::string> token;
  http::anyListItem(request, "Sec-WebSocket-Protocol", [&](std::string_view item) {
    if (!item.starts_with(kProtocolPrefix)) return false;
    // The client encodes with btoa (standard alphabet) and strips '='; other clients
    // use the URL-safe alphabet.
    token = base64EitherDecode(item.substr(kProtocolPrefix.size()));
    return true;
  });
  return token;
}

namespace {

// A verified credential becomes an admitted connection.
ConnectDecision admitted(Verdict<Identity>&& verdict) {
  if (!verdict) return verdict.error();
  return Admitted{std::move(*verdict), false};
}

TokenVerifier::Done admit(ConnectAuthenticator::Done done) {
  return [done = std::move(done)](Verdict<Identity> verdict) { done(admitted(std::move(verdict))); };
}

ConnectDecision refuse(CloseReason reason) { return Refusal{reason, std::nullopt}; }

}  // namespace

void HandshakeAuthenticator::authenticate(const http::Request& request, Done done) {
  auto origin = request.header("Origin");
  if (origin && !origins_.allows(*origin)) return done(refuse(CloseReason::ForbiddenOrigin));
  Presentation from{request.client_ip, origin.value_or("")};

  if (const auto* ticket = request.param("ticket")) {
    // Stores in memory answer here, with no callback to build.
    if (auto verdict = tokens_.verifyTicketNow(*ticket, from)) return done(admitted(std::move(*verdict)));
    return tokens_.verifyTicket(*ticket, from, admit(std::move(done)));
  }

  if (request.header("Sec-WebSocket-Protocol")) {
    if (auto token = phoenixProtocolToken(request)) return tokens_.verify(*token, std::move(from), admit(std::move(done)));
    // A bearer prefix whose value does not decode is a broken credential, not a bare socket.
    for (const auto& h : request.headers) {
      if (iequals(h.name, "Sec-WebSocket-Protocol") && h.value.find(kProtocolPrefix) != std::string::npos) {
        return done(refuse(CloseReason::TokenInvalid));
      }
    }
  }

  // The 1.8 client's LongPoll transport sends its authToken as this header (the token
  // itself, not base64): the long-poll form of credential 2.
  if (auto token = request.header("X-Phoenix-AuthToken"); token && !token->empty()) {
    return tokens_.verify(*token, std::move(from), admit(std::move(done)));
  }

  if (const auto* csrf = request.param("_csrf_token")) {
    // Cookies ride along on cross-site requests: only an allowed Origin may use them
    // (Cross-Site WebSocket Hijacking). No Origin at all means no browser we can vouch for.
    if (!origin) return done(refuse(CloseReason::ForbiddenOrigin));
    auto session_id = sessionCookie(request);
    if (!session_id || !sessions_) return done(refuse(CloseReason::MissingCredentials));
    return authenticateSession(std::move(*session_id), *csrf, std::move(done));
  }

  if (const auto* token = request.param("token"); token && config_.query_token) {
    return tokens_.verifyJwt(*token, admit(std::move(done)));
  }

  done(Admitted{Identity{}, /*awaits_first_message=*/!config_.allow_anonymous});
}

void HandshakeAuthenticator::authenticateSession(std::string session_id, std::string csrf, Done done) {
  checkSession(*sessions_, std::move(session_id), std::move(csrf),
               [this, done = std::move(done)](boost::system::result<SessionInfo> s) mutable {
                 if (!s) return done(isTransient(s.error()) ? ConnectDecision(unavailable()) : refuse(CloseReason::TokenInvalid));
                 tokens_.checkRevocation(sessionIdentity(*s), admit(std::move(done)));
               });
}

}  // namespace sg::auth
