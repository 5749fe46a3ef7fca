#pragma once
// Who a connection or request acts for. Built once at authentication and kept for the
// connection's whole life; join rules and revocation read it.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sg {

// A point in time that may be unknown, as std::optional<system_clock::time_point> is, in
// 8 bytes instead of 16: every connection's Identity holds two. time_point::min() (some
// 292 billion years ago) stands for "unknown", so it cannot be held itself.
class MaybeTime {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  constexpr MaybeTime() = default;
  constexpr MaybeTime(std::nullopt_t) {}
  constexpr MaybeTime(TimePoint t) : t_(t) {}
  constexpr MaybeTime(const std::optional<TimePoint>& t) : t_(t ? *t : kUnknown) {}

  constexpr bool has_value() const { return t_ != kUnknown; }
  constexpr explicit operator bool() const { return has_value(); }
  constexpr const TimePoint& operator*() const { return t_; }
  constexpr const TimePoint* operator->() const { return &t_; }
  constexpr void reset() { t_ = kUnknown; }
  constexpr operator std::optional<TimePoint>() const {
    return has_value() ? std::optional<TimePoint>(t_) : std::nullopt;
  }

  friend constexpr bool operator==(const MaybeTime& a, const MaybeTime& b) = default;
  friend constexpr bool operator==(const MaybeTime& a, const TimePoint& b) { return a.has_value() && a.t_ == b; }

 private:
  static constexpr TimePoint kUnknown = TimePoint::min();
  TimePoint t_ = kUnknown;
};

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
  MaybeTime expires_at;
  // When that credential was issued (JWT iat, session sign-in, ticket minting): a user
  // revocation voids what was issued before it. nullopt = unknown (treated as before).
  MaybeTime issued_at;

  bool anonymous() const { return kind == CredentialKind::Anonymous; }
};

const char* credentialKindName(CredentialKind kind);

}  // namespace sg
