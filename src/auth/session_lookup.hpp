#pragma once
// Cookie sessions as authentication sees them. The store behind it (SQLite by default)
// may block, so lookups answer through a callback, possibly from another thread.
#include "core/identity.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace sg::auth {

inline constexpr std::string_view kSessionCookie = "_sockguard_session";

struct SessionInfo {
  std::string user_id;
  std::string session_ref;  // hash of the session id: what identities and logs carry
  std::string csrf_token;
  std::chrono::system_clock::time_point created_at;
  std::chrono::system_clock::time_point expires_at;
};

class SessionLookup {
 public:
  // The live session, nullopt when there is none (unknown, expired, signed out), or
  // Errc::unavailable when the store cannot answer.
  using Done = std::function<void(boost::system::result<std::optional<SessionInfo>>)>;
  virtual ~SessionLookup() = default;
  virtual void find(std::string session_id, Done done) = 0;
};

// The identity a live cookie session gives a connection or a ticket.
Identity sessionIdentity(const SessionInfo& session);

// The one session + CSRF check (handshakes, ticket requests): the session behind the
// cookie value, if its CSRF token is `csrf` (compared in constant time). Errors:
// Errc::not_found (no live session), Errc::csrf_mismatch, Errc::unavailable.
using SessionCheckDone = std::function<void(boost::system::result<SessionInfo>)>;
void checkSession(SessionLookup& sessions, std::string session_id, std::string csrf, SessionCheckDone done);

}  // namespace sg::auth
