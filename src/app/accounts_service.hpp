#pragma once
// The built-in application's account operations (register, log in, log out, who am I),
// whatever asks for them: the REST routes (app/accounts_api) and the GraphQL mutations
// (app/graphql_api) are adapters over this one code path, so both get the same
// throttles, hashing gate, cookie attributes and errors.
//
// Passwords are argon2id; the cookie holds a random 256-bit id of which the database keeps
// only a SHA-256; its name and reading follow auth/session_cookie.hpp (`__Host-` on secure
// requests). Unknown e-mail and wrong password get the same answer in the same time.
// Logins are throttled by auth::LoginThrottle (per IP, per account and IP, and per account
// from addresses it never signed in from); registrations per client IP (register answers
// email_taken, so it would otherwise be a free oracle of who has an account).
// Hashing (registrations and logins) runs on a pool of its own, behind auth::HashingGate:
// a client IP may have only a few hashes waiting or running (429 beyond), and only so many
// may wait in all (503 beyond), so a password-guessing flood cannot make sign-ins wait for
// minutes, and session lookups (tickets, cookie handshakes, logout) never wait behind a hash.
//
// Origin checks are the adapters' (REST and GraphQL ask different things of it). Answers
// come from the pools' threads.
#include "app/api_failure.hpp"
#include "auth/hashing_gate.hpp"
#include "auth/login_throttle.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/session_lookup.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/work_pool.hpp"
#include "http/request.hpp"
#include "store/accounts.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sg::app {

// Closes every socket the session authenticated (user id, session reference).
using DisconnectSession = std::function<void(const std::string& user_id, const std::string& session_ref)>;

struct AccountsDeps {
  store::AccountStore& accounts;
  store::SessionStore& sessions;
  auth::SessionLookup& lookup;  // the caller's session (and CSRF check), as the handshake finds it
  WorkPool& pool;               // session writes (sign-in, logout)
  WorkPool& hashing;            // argon2id: registrations and logins
  auth::HashingGate& hashing_gate;
  const Clock& clock;
  const AppConfig& config;
  auth::LoginLimiter& logins;  // LoginThrottle on one node, Redis in a cluster
  auth::RateLimiter& registrations_per_ip;
  DisconnectSession disconnect;
};

// What the operations need of a request, copied off the connection's thread.
struct AccountCaller {
  std::string ip;
  std::string user_agent;
  bool secure = false;
  std::string cookie_name;  // where this request's session lives (auth::sessionCookieName)
  std::optional<std::string> session_cookie;
  std::optional<std::string> csrf_header;

  static AccountCaller of(const http::Request& request);
};

// A signed-in session: who, its CSRF token, and the Set-Cookie header value that carries
// its cookie (or, after logout, clears it).
struct SessionOut {
  store::Account account;
  std::string csrf_token;
  std::string set_cookie;
};
struct SessionView {
  store::Account account;
  std::string csrf_token;
};
struct SignedOut {
  std::string set_cookie;
};

// "  Alice@Example.COM " -> "alice@example.com"; nullopt when it is not an address.
std::optional<std::string> normaliseEmail(std::string_view email);

class AccountsService {
 public:
  explicit AccountsService(AccountsDeps deps) : d_(std::move(deps)) {}

  template <typename T>
  using Done = std::function<void(ApiResult<T>)>;

  void registerAccount(AccountCaller caller, std::string_view email, std::string password, Done<SessionOut> done);
  void login(AccountCaller caller, std::string_view email, std::string password, Done<SessionOut> done);
  // Needs the session's CSRF token (caller.csrf_header); closes the session's sockets.
  void logout(AccountCaller caller, Done<SignedOut> done);
  void me(AccountCaller caller, Done<SessionView> done);
  // The account of an identity already authenticated (a socket's); 401 when it is gone.
  void account(std::string user_id, Done<store::Account> done);

 private:
  // A login the throttles admitted: the password is checked on the hashing pool.
  void verifyLogin(std::string email, std::string password, AccountCaller caller,
                   std::shared_ptr<auth::HashingGate::Pass> pass, Done<SessionOut> done);
  ApiResult<SessionOut> startSession(const store::Account& account, const AccountCaller& caller);
  std::string cookieHeader(const AccountCaller& caller, const std::string& value, int max_age_s) const;
  using SessionDone = std::function<void(ApiResult<auth::SessionInfo>)>;
  void findSession(const AccountCaller& caller, bool require_csrf, SessionDone done);

  AccountsDeps d_;
};

}  // namespace sg::app
