#include "app/accounts_service.hpp"

#include "auth/passwords.hpp"
#include "auth/session_cookie.hpp"
#include "core/encoding.hpp"
#include "core/errors.hpp"
#include "http/cookies.hpp"
#include "obs/audit.hpp"
#include "obs/redact.hpp"

#include <algorithm>
#include <cctype>

namespace sg::app {

std::optional<std::string> normaliseEmail(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
  std::string out(email);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  auto at = out.find('@');
  if (out.size() > 254 || at == std::string::npos || at == 0 || at == out.size() - 1 ||
      out.find('@', at + 1) != std::string::npos || out.find('.', at) == std::string::npos) {
    return std::nullopt;
  }
  if (std::any_of(out.begin(), out.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) return std::nullopt;
  return out;
}

AccountCaller AccountCaller::of(const http::Request& req) {
  auto csrf = req.header("X-CSRF-Token");
  return AccountCaller{req.client_ip,
                       std::string(req.header("User-Agent").value_or("")).substr(0, 256),
                       req.secure,
                       std::string(auth::sessionCookieName(req)),
                       auth::sessionCookie(req),
                       csrf ? std::optional<std::string>(std::string(*csrf)) : std::nullopt};
}

namespace {

// The database cannot answer (Errc::unavailable): retry shortly, never "invalid".
ApiFailure storeBusy(std::string message) { return apiFailure(503, "server_busy", std::move(message), 1); }

ApiFailure throttled(std::chrono::milliseconds wait) {
  auto seconds = std::max<long>(1, (wait.count() + 999) / 1000);
  return apiFailure(429, "rate_limited", "too many attempts; retry later", static_cast<int>(seconds));
}

// Over the hashing gate: retry in a second, when a hash or two will have finished.
ApiFailure hashingRefused(auth::HashingGate::Refusal refusal) {
  if (refusal == auth::HashingGate::Refusal::PerIp) {
    return apiFailure(429, "rate_limited", "a sign-in from this address is still being checked; retry shortly", 1);
  }
  return apiFailure(503, "server_busy", "too many sign-ins at once; retry shortly", 1);
}

// Checks the shape of an e-mail and password; the normalised e-mail, or why not.
ApiResult<std::string> checkEmail(std::string_view email) {
  auto normal = normaliseEmail(email);
  if (!normal) return apiFailure(400, "invalid_email", "that is not an e-mail address");
  return *normal;
}

}  // namespace

void AccountsService::registerAccount(AccountCaller caller, std::string_view email_in, std::string password,
                                      Done<SessionOut> done) {
  auto email = checkEmail(email_in);
  if (!email) return done(email.error());
  if (password.size() < auth::kMinPasswordChars || password.size() > auth::kMaxPasswordBytes) {
    return done(apiFailure(400, "weak_password", "the password must have 8 to 1024 characters"));
  }
  auto gate = d_.hashing_gate.enter(caller.ip);
  if (gate.refusal) return done(hashingRefused(*gate.refusal));
  // Every well-formed registration counts, a refusal as much as a success: both tell
  // whether the e-mail has an account, and this limit is what keeps that oracle slow.
  if (auto wait = d_.registrations_per_ip.take(caller.ip)) return done(throttled(*wait));
  d_.hashing.post([this, email = std::move(*email), password = std::move(password), caller = std::move(caller),
                   done = std::move(done), pass = std::move(gate.pass)]() mutable {
    std::string hash = auth::hashPassword(password);
    // The place goes back before the answer does: a client that has its answer may hash
    // again at once (the task itself is destroyed only after done() has answered).
    pass.reset();
    if (hash.empty()) return done(apiFailure(503, "server_busy", "try again", 1));
    auto account = d_.accounts.create(email, hash);
    if (!account) {
      if (account.error() == Errc::already_exists) {
        return done(apiFailure(409, "email_taken", "an account with this e-mail exists"));
      }
      return done(storeBusy("accounts cannot be written now"));
    }
    obs::audit("account_registered", {{"user", account->id}, {"ip", caller.ip}});
    d_.logins.succeeded(email, caller.ip);
    done(startSession(*account, caller));
  });
}

void AccountsService::login(AccountCaller caller, std::string_view email_in, std::string password,
                            Done<SessionOut> done) {
  auto email = checkEmail(email_in);
  if (!email) return done(email.error());
  // The gate first: a request it turns away costs no attempt of the throttles' budget.
  auto gate = d_.hashing_gate.enter(caller.ip);
  if (gate.refusal) return done(hashingRefused(*gate.refusal));
  // The throttles may answer later, from another thread (Redis in a cluster); the pass is
  // held meanwhile.
  // Copies: the callback below takes `email` and `caller` (and C++ leaves the order in
  // which arguments are evaluated open).
  std::string account_email = *email;
  std::string ip = caller.ip;
  d_.logins.admitAttempt(
      account_email, ip,
      [this, email = std::move(*email), password = std::move(password), caller = std::move(caller),
       done = std::move(done), pass = std::move(gate.pass)](
          boost::system::result<std::optional<std::chrono::milliseconds>> admitted) mutable {
        if (!admitted) return done(storeBusy("sign-in cannot be checked now"));
        if (*admitted) return done(throttled(**admitted));
        verifyLogin(std::move(email), std::move(password), std::move(caller), std::move(pass), std::move(done));
      });
}

void AccountsService::verifyLogin(std::string email, std::string password, AccountCaller caller,
                                  std::shared_ptr<auth::HashingGate::Pass> pass, Done<SessionOut> done) {
  d_.hashing.post([this, email = std::move(email), password = std::move(password), caller = std::move(caller),
                   done = std::move(done), pass = std::move(pass)]() mutable {
    auto found = d_.accounts.findByEmail(email);
    if (!found) {
      // The database cannot answer: that is no verdict on the password (nothing was
      // compared), so the client is told to retry, not that it is wrong.
      pass.reset();
      return done(storeBusy("accounts cannot be read now"));
    }
    const auto& account = *found;
    // Verify against a decoy when there is no account: same answer, same cost.
    bool ok = auth::verifyPassword(password, account ? account->password_hash : auth::decoyPasswordHash());
    pass.reset();  // before the answer, as in registerAccount
    if (!account || !ok) {
      obs::audit("login_failed", {{"ip", caller.ip}});
      return done(apiFailure(401, "invalid_credentials", "wrong e-mail or password"));
    }
    d_.logins.succeeded(email, caller.ip);
    obs::audit("login", {{"user", account->id}, {"ip", caller.ip}});
    done(startSession(*account, caller));
  });
}

void AccountsService::logout(AccountCaller caller, Done<SignedOut> done) {
  findSession(caller, /*require_csrf=*/true,
              [this, caller, done = std::move(done)](ApiResult<auth::SessionInfo> session) mutable {
                if (!session) return done(session.error());
                // The session must be ended in the database before the client is told so:
                // a revocation that was not written would let the cookie work again.
                if (auto revoked = d_.sessions.revoke(session->session_ref, d_.clock.now()); !revoked) {
                  return done(storeBusy("the session cannot be ended now"));
                }
                d_.disconnect(session->user_id, session->session_ref);
                obs::audit("logout", {{"user", session->user_id},
                                      {"session", obs::shortHash(session->session_ref)},
                                      {"ip", caller.ip}});
                done(SignedOut{cookieHeader(caller, "", 0)});
              });
}

void AccountsService::me(AccountCaller caller, Done<SessionView> done) {
  findSession(caller, /*require_csrf=*/false,
              [this, done = std::move(done)](ApiResult<auth::SessionInfo> session) mutable {
                if (!session) return done(session.error());
                auto account = d_.accounts.findById(session->user_id);
                if (!account) return done(storeBusy("accounts cannot be read now"));
                if (!*account) return done(apiFailure(401, "token_invalid", "the account no longer exists"));
                done(SessionView{std::move(**account), session->csrf_token});
              });
}

void AccountsService::account(std::string user_id, Done<store::Account> done) {
  d_.pool.post([this, user_id = std::move(user_id), done = std::move(done)] {
    auto account = d_.accounts.findById(user_id);
    if (!account) return done(storeBusy("accounts cannot be read now"));
    if (!*account) return done(apiFailure(401, "token_invalid", "the account no longer exists"));
    done(std::move(**account));
  });
}

// Runs on a pool.
ApiResult<SessionOut> AccountsService::startSession(const store::Account& account, const AccountCaller& caller) {
  std::string cookie = randomToken();
  auto now = d_.clock.now();
  store::Session s{sha256Hex(cookie), account.id, randomToken(), now,
                   now + std::chrono::seconds(d_.config.session_ttl_s), now, caller.ip, caller.user_agent};
  if (auto created = d_.sessions.create(s); !created) {
    // A random 256-bit id does not collide and the account was just read: whatever the
    // error, the database could not take the session now.
    return storeBusy("sessions cannot be written now");
  }
  return SessionOut{account, s.csrf_token, cookieHeader(caller, cookie, d_.config.session_ttl_s)};
}

// A secure request's cookie is __Host-: Secure, Path=/ and no Domain are what the prefix
// demands (setCookie writes no Domain). "always" also marks the plain cookie Secure.
std::string AccountsService::cookieHeader(const AccountCaller& caller, const std::string& value, int max_age_s) const {
  http::CookieOptions o;
  o.max_age_s = max_age_s;
  o.secure = caller.secure || d_.config.cookie_secure == "always";
  return http::setCookie(caller.cookie_name, value, o);
}

// Finds the caller's session (with its CSRF token checked when `require_csrf`) through the
// same lookup and check as the WebSocket handshake and the ticket API. `done` runs on the
// store's pool.
void AccountsService::findSession(const AccountCaller& caller, bool require_csrf, SessionDone done) {
  if (!caller.session_cookie) return done(apiFailure(401, "missing_credentials", "not signed in"));
  if (require_csrf && !caller.csrf_header) {
    return done(apiFailure(403, "csrf_required", "X-CSRF-Token header required"));
  }
  auto answer = [done = std::move(done)](boost::system::result<auth::SessionInfo> session) mutable {
    if (session) return done(std::move(*session));
    if (session.error() == Errc::csrf_mismatch) {
      return done(apiFailure(403, "csrf_invalid", "X-CSRF-Token does not match the session"));
    }
    if (isTransient(session.error())) return done(storeBusy("sessions cannot be read now"));
    done(apiFailure(401, "token_invalid", "the session has ended"));
  };
  std::string cookie = *caller.session_cookie;
  if (require_csrf) return auth::checkSession(d_.lookup, std::move(cookie), *caller.csrf_header, std::move(answer));
  d_.lookup.find(std::move(cookie), [answer = std::move(answer)](
                                        boost::system::result<std::optional<auth::SessionInfo>> found) mutable {
    if (!found) return answer(found.error());
    if (!*found) return answer(make_error_code(Errc::not_found));
    answer(std::move(**found));
  });
}

}  // namespace sg::app
