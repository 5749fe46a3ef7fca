#include "auth/handshake_authenticator.hpp"

#include "core/text.hpp"

#include "auth/passwords.hpp"
#include "http/cookies.hpp"

#include <sodium.h>

#include <algorithm>

namespace sg::auth {
namespace {

constexpr std::string_view kProtocolPrefix = "base64url.bearer.phx.";

// The client encodes with btoa (standard alphabet) and strips '='; other clients use the
// URL-safe alphabet. Accept both.
std::optional<std::string> decodeBase64Any(std::string_view in) {
  std::string normalized(in);
  for (char& c : normalized) {
    if (c == '+') c = '-';
    else if (c == '/') c = '_';
  }
  while (!normalized.empty() && normalized.back() == '=') normalized.pop_back();
  // libsodium 1.0.18 decodes any byte >= 0x80 as if it were '_': refuse it before.
  auto in_alphabet = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  };
  if (!std::all_of(normalized.begin(), normalized.end(), in_alphabet)) return std::nullopt;
  std::string out(normalized.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), normalized.data(), normalized.size(),
                        nullptr, &len, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != normalized.data() + normalized.size()) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

}  // namespace

std::optional<std::string> phoenixProtocolToken(const http::Request& request) {
  for (const auto& h : request.headers) {
    if (!iequals(h.name, "Sec-WebSocket-Protocol")) continue;
    std::string_view list = h.value;
    while (!list.empty()) {
      auto comma = list.find(',');
      auto item = trim(list.substr(0, comma));
      if (item.starts_with(kProtocolPrefix)) return decodeBase64Any(item.substr(kProtocolPrefix.size()));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  return std::nullopt;
}

void HandshakeAuthenticator::authenticate(const http::Request& request, Done done) {
  auto origin = request.header("Origin");
  if (origin && !origins_.allows(*origin)) return done(ConnectDecision::refuse(CloseReason::ForbiddenOrigin));
  Presentation from{request.client_ip, origin.value_or("")};

  if (const auto* ticket = request.param("ticket")) return done(tokens_.verifyTicket(*ticket, from));

  if (request.header("Sec-WebSocket-Protocol")) {
    if (auto token = phoenixProtocolToken(request)) return done(tokens_.verify(*token, from));
    // A bearer prefix whose value does not decode is a broken credential, not a bare socket.
    for (const auto& h : request.headers) {
      if (iequals(h.name, "Sec-WebSocket-Protocol") && h.value.find(kProtocolPrefix) != std::string::npos) {
        return done(ConnectDecision::refuse(CloseReason::TokenInvalid));
      }
    }
  }

  if (const auto* csrf = request.param("_csrf_token")) {
    // Cookies ride along on cross-site requests: only an allowed Origin may use them
    // (Cross-Site WebSocket Hijacking). No Origin at all means no browser we can vouch for.
    if (!origin) return done(ConnectDecision::refuse(CloseReason::ForbiddenOrigin));
    auto session_id = http::cookieValue(request, kSessionCookie);
    if (!session_id || !sessions_) return done(ConnectDecision::refuse(CloseReason::MissingCredentials));
    return authenticateSession(request, std::move(*session_id), *csrf, std::move(done));
  }

  if (const auto* token = request.param("token"); token && config_.query_token) {
    return done(tokens_.verifyJwt(*token));
  }

  if (config_.allow_anonymous) return done(ConnectDecision::accept(Identity{}));
  ConnectDecision bare = ConnectDecision::accept(Identity{});
  bare.awaits_first_message = true;
  done(std::move(bare));
}

void HandshakeAuthenticator::authenticateSession(const http::Request&, std::string session_id, std::string csrf,
                                                 Done done) {
  sessions_->find(std::move(session_id), [csrf = std::move(csrf), done = std::move(done)](std::optional<SessionInfo> s) {
    if (!s) return done(ConnectDecision::refuse(CloseReason::TokenInvalid));
    if (!constantTimeEquals(s->csrf_token, csrf)) return done(ConnectDecision::refuse(CloseReason::TokenInvalid));
    Identity who;
    who.user_id = s->user_id;
    who.session_id = s->session_ref;
    who.kind = CredentialKind::Session;
    who.expires_at = s->expires_at;
    done(ConnectDecision::accept(std::move(who)));
  });
}

}  // namespace sg::auth
