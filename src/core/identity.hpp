#pragma once
// Who a connection or request acts for. Built once at authentication and kept for the
// connection's whole life; join rules and revocation read it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sg {

enum class CredentialKind : std::uint8_t {
  Anonymous,  // no credential; only topics configured as anonymous accept it
  Ticket,     // one-time ticket from POST /api/socket/ticket
  Jwt,        // signed token (query, Sec-WebSocket-Protocol or first message)
  Session,    // session cookie + CSRF token
  ApiKey,     // server API key (backends)
};

struct Identity {
  std::string user_id;     // empty when anonymous
  std::string session_id;  // opaque session reference (a hash, never the cookie value)
  CredentialKind kind = CredentialKind::Anonymous;
  // When the credential behind this identity stops being valid; nullopt = never.
  std::optional<std::chrono::system_clock::time_point> expires_at;
  // When that credential was issued (JWT iat, session sign-in, ticket minting): a user
  // revocation voids what was issued before it. nullopt = unknown (treated as before).
  std::optional<std::chrono::system_clock::time_point> issued_at;

  bool anonymous() const { return kind == CredentialKind::Anonymous; }
};

const char* credentialKindName(CredentialKind kind);

}  // namespace sg
