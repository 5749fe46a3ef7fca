#pragma once
// Credentials an attacker can make without asking the server: JWTs signed with the
// server's key (to present valid, expired or replayed ones), with a wrong key, with
// `alg: none` or another algorithm; and the wrapping the phoenix client uses to send a
// token in Sec-WebSocket-Protocol. Written here, not taken from src/auth, so that a bug
// in the server's JWT code cannot hide itself by being on both sides.
#include <chrono>
#include <string>
#include <string_view>

namespace sg::attack {

std::string base64url(std::string_view bytes);

// "phoenix, base64url.bearer.phx.<token in base64url>": the phoenix 1.8 client's authToken.
std::string phoenixProtocolHeader(std::string_view token);

class JwtForge {
 public:
  // `secret`: the server's HS256 key (server.data_dir/secret_key unless configured).
  explicit JwtForge(std::string secret) : secret_(std::move(secret)) {}

  // A token the server accepts: sub, iat now, exp now + ttl, and jti when not empty.
  std::string valid(std::string_view sub, std::chrono::seconds ttl, std::string_view jti = {}) const;
  // Expired well beyond any leeway (exp an hour ago).
  std::string expired(std::string_view sub) const;
  // Valid claims, signed with a key that is not the server's.
  std::string wrongKey(std::string_view sub) const;
  // {"alg":"none"} and no signature.
  std::string algNone(std::string_view sub) const;
  // HS512 with the right secret, while the server pins HS256 (algorithm confusion).
  std::string wrongAlgorithm(std::string_view sub) const;
  // No exp claim at all.
  std::string withoutExpiry(std::string_view sub) const;
  // nbf a day ahead.
  std::string notYetValid(std::string_view sub) const;
  // A valid token whose payload was edited after signing (sub changed to `sub`).
  std::string tampered(std::string_view sub) const;

 private:
  std::string secret_;
};

}  // namespace sg::attack
