#include "app/ticket_api.hpp"

#include "app/server_api.hpp"
#include "auth/passwords.hpp"
#include "auth/session_cookie.hpp"
#include "core/errors.hpp"
#include "core/text.hpp"
#include "protocol/phoenix_paths.hpp"

#include <boost/json/monotonic_resource.hpp>

#include <array>
#include <charconv>
#include <iterator>

namespace sg::app {
namespace json = boost::json;

namespace {

// The socket URL's three parts: scheme, the Host the request came to, the endpoint path.
struct SocketUrlParts {
  std::string_view scheme, host, path;
};

SocketUrlParts socketUrlParts(const http::Request& req) {
  return {req.secure ? "wss://" : "ws://", req.header("Host").value_or("localhost"), protocol::kPhoenixEndpointPath};
}

}  // namespace

std::string socketUrl(const http::Request& req) {
  auto parts = socketUrlParts(req);
  std::string url;
  url.reserve(parts.scheme.size() + parts.host.size() + parts.path.size());
  url.append(parts.scheme).append(parts.host).append(parts.path);
  return url;
}

namespace {

// {"ticket":…,"expires_in":…,"socket_url":…}, written straight out: the bytes
// boost::json::serialize gave for that object (same order, same escaping), without
// building the object for every ticket.
http::Response ticketResponse(const tickets::Minted& minted, const http::Request& req) {
  http::Response r;
  r.status = 200;
  auto& out = r.body;
  out.reserve(160);
  // A ticket is base64url (TicketIssuer), none of whose characters JSON escapes.
  out.append(R"({"ticket":")").append(minted.ticket).push_back('"');
  char digits[24];
  auto end = std::to_chars(std::begin(digits), std::end(digits), minted.expires_in.count()).ptr;
  out.append(R"(,"expires_in":)").append(digits, end);
  // socketUrl(req) as a JSON string, escaped part by part (escaping works byte by byte),
  // without building the URL first.
  auto url = socketUrlParts(req);
  out.append(R"(,"socket_url":")");
  appendJsonEscaped(out, url.scheme);
  appendJsonEscaped(out, url.host);
  appendJsonEscaped(out, url.path);
  out.append("\"}");
  return r;
}

void respondMinted(const http::Request& req, const http::Respond& respond, const ApiResult<tickets::Minted>& minted) {
  if (!minted) return respond(failureResponse(minted.error()));
  respond(ticketResponse(*minted, req));
}

// `req` stays alive until `respond` has been called: the HTTP session's respond holds it.
TicketMinting::Done answer(const http::Request& req, http::Respond respond) {
  return [&req, respond = std::move(respond)](ApiResult<tickets::Minted> minted) { respondMinted(req, respond, minted); };
}

std::string originOf(const http::Request& req) { return std::string(req.header("Origin").value_or("")); }

// What a backend's body may name: the user, and optionally the bindings.
constexpr std::array<std::string_view, 3> kMintFields = {"user_id", "client_ip", "origin"};

// The body's {"user_id", ["client_ip"], ["origin"]} (absent ones empty), or the 400/415
// answer. Bodies of plain strings (every backend's, in practice) are read in place; any
// other goes through the full JSON parse, which reads those the same.
boost::system::result<tickets::TicketClaims, http::Response> mintBody(const http::Request& req) {
  auto refused = [] {
    return http::Response::error(400, "bad_request", "user_id (string) is required; client_ip and origin are strings");
  };
  std::array<std::optional<std::string>, kMintFields.size()> fields;
  std::array<std::optional<std::string_view>, kMintFields.size()> plain;
  if (declaresJsonBody(req) && readPlainStringObject(req.body, kMintFields, plain)) {
    for (std::size_t i = 0; i < plain.size(); ++i) fields[i] = std::string(plain[i].value_or(""));
  } else {
    // {"user_id": …} is read into strings and dropped: its value lives on this stack (a
    // body beyond the buffer spills to the heap).
    unsigned char buffer[1024];
    json::monotonic_resource scratch(buffer, sizeof buffer);
    auto body = parseJsonBody(req, &scratch);
    if (body.error) return std::move(*body.error);
    for (std::size_t i = 0; i < kMintFields.size(); ++i) {
      const auto* v = body.object.if_contains(kMintFields[i]);
      if (!v) {
        fields[i] = std::string();
      } else if (v->is_string()) {
        fields[i] = std::string(v->get_string());
      }
    }
  }
  auto& [user_id, client_ip, origin] = fields;
  if (!user_id || user_id->empty() || user_id->size() > 128 || !client_ip || !origin) return refused();
  tickets::TicketClaims claims;
  claims.user_id = std::move(*user_id);
  claims.client_ip = std::move(*client_ip);
  claims.origin = std::move(*origin);
  return claims;
}

// A backend names the user (and optionally the bindings) it mints for.
void mintForBackend(const http::Request& req, TicketApiDeps& deps, http::Respond respond) {
  auto claims = mintBody(req);
  if (!claims) return respond(std::move(claims.error()));
  if (auto minted = deps.minting.mintNow(std::move(*claims))) return respondMinted(req, respond, *minted);
  deps.minting.mint(std::move(*claims), answer(req, std::move(respond)));
}

void mintForSession(const http::Request& req, TicketApiDeps& deps, http::Respond respond) {
  auto session_id = auth::sessionCookie(req);
  if (!session_id || !deps.sessions) {
    return respond(
        failureResponse(credentialRefused(CloseReason::MissingCredentials, "sign in, or present a Bearer token")));
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
        if (!s && isTransient(s.error())) {
          return respond(failureResponse(credentialRefused(CloseReason::ServerBusy, "sessions cannot be read now")));
        }
        if (!s) return respond(failureResponse(credentialRefused(CloseReason::TokenInvalid, "session is not valid")));
        deps.minting.mintFor(auth::sessionIdentity(*s), req.client_ip, originOf(req), answer(req, std::move(respond)));
      });
}

void mintTicket(const http::Request& req, TicketApiDeps& deps, http::Respond respond) {
  auto origin = req.header("Origin");
  if (origin && !deps.origins.allows(*origin)) {
    return respond(failureResponse(credentialRefused(CloseReason::ForbiddenOrigin, "Origin is not allowed")));
  }
  if (auto bearer = auth::bearerToken(req)) {
    if (deps.api_keys.verify(*bearer)) return mintForBackend(req, deps, std::move(respond));
    // verifyJwt checks revocation itself; mintFor checks it again (cheap, and one path).
    return deps.tokens.verifyJwt(*bearer, [&req, &deps, respond = std::move(respond)](
                                              auth::Verdict<Identity> verdict) mutable {
      if (!verdict) return respond(failureResponse(credentialRefused(verdict.error().reason, "bearer token refused")));
      deps.minting.mintFor(std::move(*verdict), req.client_ip, originOf(req), answer(req, std::move(respond)));
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
