#include "app/ticket_api.hpp"

#include "app/server_api.hpp"
#include "auth/session_cookie.hpp"
#include "auth/passwords.hpp"
#include "http/cookies.hpp"
#include "obs/audit.hpp"
#include "obs/redact.hpp"

namespace sg::app {
namespace json = boost::json;

namespace {

http::Response refusal(CloseReason reason, std::string_view message) {
  const auto& info = closeInfo(reason);
  return http::Response::error(info.http_status, info.name, message);
}

std::string socketUrl(const http::Request& req) {
  auto host = req.header("Host").value_or("localhost");
  return std::string(req.secure ? "wss://" : "ws://") + std::string(host) + "/socket";
}

http::Response minted(const http::Request& req, TicketApiDeps& deps, tickets::TicketClaims claims) {
  std::string user = claims.user_id;
  std::string session = claims.session_id.empty() ? "" : obs::shortHash(claims.session_id);
  auto result = deps.tickets.mint(std::move(claims));
  if (result.ticket.empty()) {
    return http::Response::error(503, "server_busy", "too many live tickets; retry shortly").with("Retry-After", "1");
  }
  obs::audit("ticket_minted", {{"user", user}, {"session", session}, {"ip", req.client_ip}});
  return http::Response::json(200, json::object{{"ticket", result.ticket},
                                                {"expires_in", result.expires_in.count()},
                                                {"socket_url", socketUrl(req)}});
}

// A backend names the user (and optionally the bindings) it mints for.
http::Response mintForBackend(const http::Request& req, TicketApiDeps& deps) {
  auto body = parseJsonBody(req);
  if (body.error) return *body.error;
  auto text = [&](std::string_view name) -> std::optional<std::string> {
    const auto* v = body.object.if_contains(name);
    if (!v) return std::string();
    if (!v->is_string()) return std::nullopt;
    return std::string(v->get_string());
  };
  auto user_id = text("user_id"), client_ip = text("client_ip"), origin = text("origin");
  if (!user_id || user_id->empty() || user_id->size() > 128 || !client_ip || !origin) {
    return http::Response::error(400, "bad_request", "user_id (string) is required; client_ip and origin are strings");
  }
  tickets::TicketClaims claims;
  claims.user_id = *user_id;
  claims.client_ip = *client_ip;
  claims.origin = *origin;
  return minted(req, deps, std::move(claims));
}

void mintForSession(const http::Request& req, TicketApiDeps& deps, http::Respond respond) {
  auto session_id = auth::sessionCookie(req);
  if (!session_id || !deps.sessions) {
    return respond(refusal(CloseReason::MissingCredentials, "sign in, or present a Bearer token"));
  }
  // Browsers send cookies on cross-site requests too: the CSRF token proves the page is ours.
  auto csrf = req.header("X-CSRF-Token");
  if (!csrf) return respond(http::Response::error(403, "csrf_required", "X-CSRF-Token header required"));
  auto origin = std::string(req.header("Origin").value_or(""));
  // `req` stays alive until `respond` has been called: the HTTP session's respond holds it.
  deps.sessions->find(std::move(*session_id), [&req, deps, csrf = std::string(*csrf), origin,
                                               respond = std::move(respond)](std::optional<auth::SessionInfo> s) mutable {
    if (!s) return respond(refusal(CloseReason::TokenInvalid, "session is not valid"));
    if (!auth::constantTimeEquals(s->csrf_token, csrf)) {
      return respond(http::Response::error(403, "csrf_invalid", "X-CSRF-Token does not match the session"));
    }
    tickets::TicketClaims claims;
    claims.user_id = s->user_id;
    claims.session_id = s->session_ref;
    claims.client_ip = req.client_ip;
    claims.origin = origin;
    claims.credential_expires_at = s->expires_at;
    respond(minted(req, deps, std::move(claims)));
  });
}

void mintTicket(const http::Request& req, TicketApiDeps& deps, http::Respond respond) {
  auto origin = req.header("Origin");
  if (origin && !deps.origins.allows(*origin)) {
    return respond(refusal(CloseReason::ForbiddenOrigin, "Origin is not allowed"));
  }
  if (auto bearer = auth::bearerToken(req)) {
    if (deps.api_keys.verify(*bearer)) return respond(mintForBackend(req, deps));
    auto decision = deps.tokens.verifyJwt(*bearer);
    if (!decision.accepted) return respond(refusal(decision.reason, "bearer token refused"));
    tickets::TicketClaims claims;
    claims.user_id = decision.identity.user_id;
    claims.client_ip = req.client_ip;
    claims.origin = std::string(origin.value_or(""));
    claims.credential_expires_at = decision.identity.expires_at;
    return respond(minted(req, deps, std::move(claims)));
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
