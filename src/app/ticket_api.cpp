#include "app/ticket_api.hpp"

#include "app/server_api.hpp"
#include "auth/session_cookie.hpp"
#include "auth/passwords.hpp"
#include "core/errors.hpp"
#include "http/cookies.hpp"
#include "obs/audit.hpp"
#include "obs/redact.hpp"

namespace sg::app {
namespace json = boost::json;

namespace {

void mintFor(const http::Request& req, TicketApiDeps& deps, Identity who, http::Respond respond);

http::Response refusal(CloseReason reason, std::string_view message) {
  const auto& info = closeInfo(reason);
  auto response = http::Response::error(info.http_status, info.name, message);
  if (reason == CloseReason::ServerBusy) response.with("Retry-After", "1");
  return response;
}

std::string socketUrl(const http::Request& req) {
  auto host = req.header("Host").value_or("localhost");
  return std::string(req.secure ? "wss://" : "ws://") + std::string(host) + "/socket";
}

void mint(const http::Request& req, TicketApiDeps& deps, tickets::TicketClaims claims, http::Respond respond) {
  std::string user = claims.user_id;
  std::string session = claims.session_id.empty() ? "" : obs::shortHash(claims.session_id);
  // `req` stays alive until `respond` has been called: the HTTP session's respond holds it.
  deps.tickets.mint(std::move(claims), [&req, user, session, respond = std::move(respond)](
                                           boost::system::result<tickets::Minted> minted) {
    if (!minted) {
      return respond(http::Response::error(503, "server_busy", "tickets cannot be issued now; retry shortly")
                         .with("Retry-After", "1"));
    }
    obs::audit("ticket_minted", {{"user", user}, {"session", session}, {"ip", req.client_ip}});
    respond(http::Response::json(200, json::object{{"ticket", minted->ticket},
                                                   {"expires_in", minted->expires_in.count()},
                                                   {"socket_url", socketUrl(req)}}));
  });
}

// A backend names the user (and optionally the bindings) it mints for.
void mintForBackend(const http::Request& req, TicketApiDeps& deps, http::Respond respond) {
  auto body = parseJsonBody(req);
  if (body.error) return respond(*body.error);
  auto text = [&](std::string_view name) -> std::optional<std::string> {
    const auto* v = body.object.if_contains(name);
    if (!v) return std::string();
    if (!v->is_string()) return std::nullopt;
    return std::string(v->get_string());
  };
  auto user_id = text("user_id"), client_ip = text("client_ip"), origin = text("origin");
  if (!user_id || user_id->empty() || user_id->size() > 128 || !client_ip || !origin) {
    return respond(
        http::Response::error(400, "bad_request", "user_id (string) is required; client_ip and origin are strings"));
  }
  tickets::TicketClaims claims;
  claims.user_id = *user_id;
  claims.client_ip = *client_ip;
  claims.origin = *origin;
  mint(req, deps, std::move(claims), std::move(respond));
}

void mintForSession(const http::Request& req, TicketApiDeps& deps, http::Respond respond) {
  auto session_id = auth::sessionCookie(req);
  if (!session_id || !deps.sessions) {
    return respond(refusal(CloseReason::MissingCredentials, "sign in, or present a Bearer token"));
  }
  // Browsers send cookies on cross-site requests too: the CSRF token proves the page is ours.
  auto csrf = req.header("X-CSRF-Token");
  if (!csrf) return respond(http::Response::error(403, "csrf_required", "X-CSRF-Token header required"));
  auth::checkSession(
      *deps.sessions, std::move(*session_id), std::string(*csrf),
      [&req, &deps, respond = std::move(respond)](boost::system::result<auth::SessionInfo> s) mutable {
        if (!s && s.error() == Errc::csrf_mismatch) {
          return respond(http::Response::error(403, "csrf_invalid", "X-CSRF-Token does not match the session"));
        }
        if (!s && isTransient(s.error())) return respond(refusal(CloseReason::ServerBusy, "sessions cannot be read now"));
        if (!s) return respond(refusal(CloseReason::TokenInvalid, "session is not valid"));
        mintFor(req, deps, auth::sessionIdentity(*s), std::move(respond));
      });
}

// A caller whose credential checked out (session or JWT), revocations included, gets a
// ticket bound to its request's client IP and Origin.
void mintFor(const http::Request& req, TicketApiDeps& deps, Identity who, http::Respond respond) {
  deps.tokens.checkRevocation(std::move(who), [&req, &deps, respond = std::move(respond)](
                                                  auth::Verdict<Identity> verdict) mutable {
    if (!verdict) return respond(refusal(verdict.error().reason, "credential refused"));
    if (auto wait = deps.limits.admit(verdict->user_id, req.client_ip)) {
      return respond(http::Response::error(429, "rate_limited", "too many tickets; retry later")
                         .with("Retry-After", std::to_string((wait->count() + 999) / 1000)));
    }
    tickets::TicketClaims claims;
    claims.user_id = verdict->user_id;
    claims.session_id = verdict->session_id;
    claims.client_ip = req.client_ip;
    claims.origin = std::string(req.header("Origin").value_or(""));
    claims.credential_expires_at = verdict->expires_at;
    mint(req, deps, std::move(claims), std::move(respond));
  });
}

void mintTicket(const http::Request& req, TicketApiDeps& deps, http::Respond respond) {
  auto origin = req.header("Origin");
  if (origin && !deps.origins.allows(*origin)) {
    return respond(refusal(CloseReason::ForbiddenOrigin, "Origin is not allowed"));
  }
  if (auto bearer = auth::bearerToken(req)) {
    if (deps.api_keys.verify(*bearer)) return mintForBackend(req, deps, std::move(respond));
    // verifyJwt checks revocation itself; mintFor checks it again (cheap, and one path).
    return deps.tokens.verifyJwt(*bearer, [&req, &deps, respond = std::move(respond)](
                                              auth::Verdict<Identity> verdict) mutable {
      if (!verdict) return respond(refusal(verdict.error().reason, "bearer token refused"));
      mintFor(req, deps, std::move(*verdict), std::move(respond));
    });
  }
  mintForSession(req, deps, std::move(respond));
}

}  // namespace

void addTicketRoutes(http::Router& router, TicketApiDeps deps) {
  router.add("POST", "/api/socket/ticket",
             [deps](const http::Request& req, const http::RouteParams&, http::Respond respond) mutable {
               mintTicket(req, deps, std::move(respond));
             });
}

}  // namespace sg::app
