#pragma once
// Cookie sessions as authentication sees them. The store behind it (SQLite by default)
// may block, so lookups answer through a callback, possibly from another thread.
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
  std::chrono::system_clock::time_point expires_at;
};

class SessionLookup {
 public:
  using Done = std::function<void(std::optional<SessionInfo>)>;
  virtual ~SessionLookup() = default;
  // Finds a live (unexpired, unrevoked) session by the cookie's value.
  virtual void find(std::string session_id, Done done) = 0;
};

}  // namespace sg::auth
