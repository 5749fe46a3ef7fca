#include "app/accounts_api.hpp"

#include "core/encoding.hpp"
#include "core/errors.hpp"

#include "app/server_api.hpp"
#include "auth/passwords.hpp"
#include "auth/session_cookie.hpp"
#include "http/cookies.hpp"
#include "obs/audit.hpp"
#include "obs/redact.hpp"

#include <algorithm>
#include <cctype>

namespace sg::app {
namespace json = boost::json;
using http::Response;

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

namespace {

// What a handler needs of a request once it has left the shard for the pool.
struct Caller {
  std::string ip;
  std::string user_agent;
  bool secure;
  std::string cookie_name;  // where this request's session lives (auth::sessionCookieName)
  std::optional<std::string> session_cookie;
  std::optional<std::string> csrf_header;

  static Caller of(const http::Request& req) {
    auto csrf = req.header("X-CSRF-Token");
    return Caller{req.client_ip,
                  std::string(req.header("User-Agent").value_or("")).substr(0, 256),
                  req.secure,
                  std::string(auth::sessionCookieName(req)),
                  auth::sessionCookie(req),
                  csrf ? std::optional<std::string>(std::string(*csrf)) : std::nullopt};
  }
};

struct Credentials {
  std::string email;
  std::string password;
  std::optional<Response> error;
};

Credentials readCredentials(const http::Request& req) {
  auto body = parseJsonBody(req);
  if (body.error) return {{}, {}, body.error};
  const auto* email = body.object.if_contains("email");
  const auto* password = body.object.if_contains("password");
  if (!email || !email->is_string() || !password || !password->is_string()) {
    return {{}, {}, Response::error(400, "bad_request", "email and password (strings) are required")};
  }
  auto normal = normaliseEmail(email->get_string());
  if (!normal) return {{}, {}, Response::error(400, "invalid_email", "that is not an e-mail address")};
  return {*normal, std::string(password->get_string()), std::nullopt};
}

class AccountsApi {
 public:
  explicit AccountsApi(AccountsApiDeps deps) : d_(std::move(deps)) {}

  void registerAccount(const http::Request& req, http::Respond respond) {
    if (auto refused = foreignOrigin(req)) return respond(*refused);
    auto creds = readCredentials(req);
    if (creds.error) return respond(*creds.error);
    if (creds.password.size() < auth::kMinPasswordChars || creds.password.size() > auth::kMaxPasswordBytes) {
      return respond(Response::error(400, "weak_password", "the password must have 8 to 1024 characters"));
    }
    auto gate = d_.hashing_gate.enter(req.client_ip);
    if (gate.refusal) return respond(hashingRefused(*gate.refusal));
    // Every well-formed registration counts, a 409 as much as a 201: both tell whether the
    // e-mail has an account, and this limit is what keeps that oracle slow.
    if (auto wait = d_.registrations_per_ip.take(req.client_ip)) return respond(throttled(*wait));
    d_.hashing.post([this, creds = std::move(creds), caller = Caller::of(req), respond = std::move(respond),
                     pass = std::move(gate.pass)]() mutable {
      std::string hash = auth::hashPassword(creds.password);
      // The place goes back before the answer does: a client that has its answer may hash
      // again at once (the task itself is destroyed only after respond() has sent it).
      pass.reset();
      if (hash.empty()) return respond(Response::error(503, "server_busy", "try again"));
      store::CreateError error{};
      auto account = d_.accounts.create(creds.email, hash, &error);
      if (!account) {
        if (error == store::CreateError::EmailTaken) {
          return respond(Response::error(409, "email_taken", "an account with this e-mail exists"));
        }
        return respond(Response::error(500, "storage_failed", "could not create the account"));
      }
      obs::audit("account_registered", {{"user", account->id}, {"ip", caller.ip}});
      d_.logins.succeeded(creds.email, caller.ip);
      respond(startSession(*account, caller, 201));
    });
  }

  void login(const http::Request& req, http::Respond respond) {
    if (auto refused = foreignOrigin(req)) return respond(*refused);
    auto creds = readCredentials(req);
    if (creds.error) return respond(*creds.error);
    // The gate first: a request it turns away costs no attempt of the throttles' budget.
    auto gate = d_.hashing_gate.enter(req.client_ip);
    if (gate.refusal) return respond(hashingRefused(*gate.refusal));
    // The throttles may answer later, from another thread (Redis in a cluster); the pass
    // is held meanwhile.
    auto email = creds.email;
    d_.logins.admitAttempt(email, req.client_ip, [this, creds = std::move(creds), caller = Caller::of(req),
                                                  respond = std::move(respond), pass = std::move(gate.pass)](
                                                     boost::system::result<std::optional<std::chrono::milliseconds>>
                                                         admitted) mutable {
      if (!admitted) {
        return respond(Response::error(503, "server_busy", "sign-in cannot be checked now; retry shortly")
                           .with("Retry-After", "1"));
      }
      if (*admitted) return respond(throttled(**admitted));
      verifyLogin(std::move(creds), std::move(caller), std::move(respond), std::move(pass));
    });
  }

  void verifyLogin(Credentials creds, Caller caller, http::Respond respond, std::shared_ptr<auth::HashingGate::Pass> pass) {
    d_.hashing.post([this, creds = std::move(creds), caller = std::move(caller), respond = std::move(respond),
                     pass = std::move(pass)]() mutable {
      auto account = d_.accounts.findByEmail(creds.email);
      // Verify against a decoy when there is no account: same answer, same cost.
      bool ok = auth::verifyPassword(creds.password, account ? account->password_hash : auth::decoyPasswordHash());
      pass.reset();  // before the answer, as in registerAccount
      if (!account || !ok) {
        obs::audit("login_failed", {{"ip", caller.ip}});
        return respond(Response::error(401, "invalid_credentials", "wrong e-mail or password"));
      }
      d_.logins.succeeded(creds.email, caller.ip);
      obs::audit("login", {{"user", account->id}, {"ip", caller.ip}});
      respond(startSession(*account, caller, 200));
    });
  }

  void logout(const http::Request& req, http::Respond respond) {
    if (auto refused = foreignOrigin(req)) return respond(*refused);
    withSession(Caller::of(req), /*require_csrf=*/true, std::move(respond),
                [this](const auth::SessionInfo& s, const Caller& caller) {
                  d_.sessions.revoke(s.session_ref, d_.clock.now());
                  d_.disconnect(s.user_id, s.session_ref);
                  obs::audit("logout",
                             {{"user", s.user_id}, {"session", obs::shortHash(s.session_ref)}, {"ip", caller.ip}});
                  auto r = Response::json(200, json::object{{"status", "signed_out"}});
                  r.with("Set-Cookie", http::setCookie(caller.cookie_name, "", cookieOptions(caller, 0)));
                  return r;
                });
  }

  void me(const http::Request& req, http::Respond respond) {
    withSession(Caller::of(req), /*require_csrf=*/false, std::move(respond),
                [this](const auth::SessionInfo& s, const Caller&) {
                  auto account = d_.accounts.findById(s.user_id);
                  if (!account) return Response::error(401, "token_invalid", "the account no longer exists");
                  return accountBody(200, *account, s.csrf_token);
                });
  }

 private:
  std::optional<Response> foreignOrigin(const http::Request& req) const {
    auto origin = req.header("Origin");
    if (origin && !d_.origins.allows(*origin)) return Response::error(403, "forbidden_origin", "Origin is not allowed");
    return std::nullopt;
  }

  // Over the hashing gate: retry in a second, when a hash or two will have finished.
  static Response hashingRefused(auth::HashingGate::Refusal refusal) {
    if (refusal == auth::HashingGate::Refusal::PerIp) {
      return Response::error(429, "rate_limited", "a sign-in from this address is still being checked; retry shortly")
          .with("Retry-After", "1");
    }
    return Response::error(503, "server_busy", "too many sign-ins at once; retry shortly").with("Retry-After", "1");
  }

  static Response throttled(std::chrono::milliseconds wait) {
    auto seconds = std::max<long>(1, (wait.count() + 999) / 1000);
    return Response::error(429, "rate_limited", "too many attempts; retry later").with("Retry-After", std::to_string(seconds));
  }

  // A secure request's cookie is __Host-: Secure, Path=/ and no Domain are what the prefix
  // demands (setCookie writes no Domain). "always" also marks the plain cookie Secure.
  http::CookieOptions cookieOptions(const Caller& caller, int max_age_s) const {
    http::CookieOptions o;
    o.max_age_s = max_age_s;
    o.secure = caller.secure || d_.config.cookie_secure == "always";
    return o;
  }

  static Response accountBody(int status, const store::Account& a, const std::string& csrf) {
    return Response::json(status, json::object{{"id", a.id}, {"email", a.email}, {"csrf_token", csrf}});
  }

  // Runs on the pool.
  Response startSession(const store::Account& account, const Caller& caller, int status) {
    std::string cookie = randomToken();
    auto now = d_.clock.now();
    store::Session s{sha256Hex(cookie), account.id, randomToken(), now,
                     now + std::chrono::seconds(d_.config.session_ttl_s), now, caller.ip, caller.user_agent};
    if (!d_.sessions.create(s)) return Response::error(500, "storage_failed", "could not start a session");
    auto r = accountBody(status, account, s.csrf_token);
    r.with("Set-Cookie", http::setCookie(caller.cookie_name, cookie, cookieOptions(caller, d_.config.session_ttl_s)));
    r.with("Cache-Control", "no-store");
    return r;
  }

  // Finds the caller's session (with its CSRF token checked when `require_csrf`) through the
  // same lookup and check as the WebSocket handshake and the ticket API, and answers with
  // `fn(session, caller)`, or 401/403/503. `fn` runs on the store's pool.
  template <typename Fn>
  void withSession(Caller caller, bool require_csrf, http::Respond respond, Fn fn) {
    if (!caller.session_cookie) return respond(Response::error(401, "missing_credentials", "not signed in"));
    if (require_csrf && !caller.csrf_header) {
      return respond(Response::error(403, "csrf_required", "X-CSRF-Token header required"));
    }
    auto answer = [caller, respond = std::move(respond), fn = std::move(fn)](
                      boost::system::result<auth::SessionInfo> session) mutable {
      if (session) return respond(fn(*session, caller));
      if (session.error() == Errc::csrf_mismatch) {
        return respond(Response::error(403, "csrf_invalid", "X-CSRF-Token does not match the session"));
      }
      if (isTransient(session.error())) {
        return respond(Response::error(503, "server_busy", "sessions cannot be read now").with("Retry-After", "1"));
      }
      respond(Response::error(401, "token_invalid", "the session has ended"));
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

  AccountsApiDeps d_;
};

}  // namespace

void addAccountRoutes(http::Router& router, AccountsApiDeps deps) {
  auto api = std::make_shared<AccountsApi>(std::move(deps));
  router.add("POST", "/api/accounts/register", [api](const http::Request& r, const http::RouteParams&, http::Respond respond) {
    api->registerAccount(r, std::move(respond));
  });
  router.add("POST", "/api/accounts/login", [api](const http::Request& r, const http::RouteParams&, http::Respond respond) {
    api->login(r, std::move(respond));
  });
  router.add("POST", "/api/accounts/logout", [api](const http::Request& r, const http::RouteParams&, http::Respond respond) {
    api->logout(r, std::move(respond));
  });
  router.add("GET", "/api/accounts/me", [api](const http::Request& r, const http::RouteParams&, http::Respond respond) {
    api->me(r, std::move(respond));
  });
}

}  // namespace sg::app
