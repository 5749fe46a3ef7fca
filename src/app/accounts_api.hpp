#pragma once
// The built-in application's accounts (issue: accounts, cookie sessions, CSRF):
//   POST /api/accounts/register {email, password} -> 201 {id, email, csrf_token} + session cookie
//   POST /api/accounts/login    {email, password} -> 200 {id, email, csrf_token} + session cookie
//   POST /api/accounts/logout   (cookie + X-CSRF-Token) -> 200; closes the session's sockets
//   GET  /api/accounts/me       (cookie) -> {id, email, csrf_token}
// Passwords are argon2id; the cookie holds a random 256-bit id of which the database keeps
// only a SHA-256; its name and reading follow auth/session_cookie.hpp (`__Host-` on secure
// requests). Unknown e-mail and wrong password get the same answer in the same time.
// Logins are throttled by auth::LoginThrottle (per IP, per account and IP, and per account
// from addresses it never signed in from); registrations per client IP (register answers
// 409 email_taken, so it would otherwise be a free oracle of who has an account).
// Hashing (registrations and logins) runs on a pool of its own, behind auth::HashingGate:
// a client IP may have only a few hashes waiting or running (429 beyond), and only so many
// may wait in all (503 beyond), so a password-guessing flood cannot make sign-ins wait for
// minutes, and session lookups (tickets, cookie handshakes, logout) never wait behind a hash.
#include "auth/hashing_gate.hpp"
#include "auth/login_throttle.hpp"
#include "auth/origin_policy.hpp"
#include "auth/session_lookup.hpp"
#include "auth/rate_limiter.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/work_pool.hpp"
#include "http/router.hpp"
#include "store/accounts.hpp"

#include <functional>

namespace sg::app {

// Closes every socket the session authenticated (user id, session reference).
using DisconnectSession = std::function<void(const std::string& user_id, const std::string& session_ref)>;

struct AccountsApiDeps {
  store::AccountStore& accounts;
  store::SessionStore& sessions;
  auth::SessionLookup& lookup;  // the caller's session (and CSRF check), as the handshake finds it
  WorkPool& pool;     // session writes (sign-in, logout)
  WorkPool& hashing;  // argon2id: registrations and logins
  auth::HashingGate& hashing_gate;
  const Clock& clock;
  const AppConfig& config;
  const auth::OriginPolicy& origins;
  auth::LoginLimiter& logins;  // LoginThrottle on one node, Redis in a cluster
  auth::RateLimiter& registrations_per_ip;
  DisconnectSession disconnect;
};

void addAccountRoutes(http::Router& router, AccountsApiDeps deps);

// "  Alice@Example.COM " -> "alice@example.com"; nullopt when it is not an address.
std::optional<std::string> normaliseEmail(std::string_view email);

}  // namespace sg::app
