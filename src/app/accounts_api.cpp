#include "app/accounts_api.hpp"

#include "app/server_api.hpp"

namespace sg::app {
namespace json = boost::json;
using http::Response;

namespace {

struct Credentials {
  std::string email;
  std::string password;
};

boost::system::result<Credentials, Response> readCredentials(const http::Request& req) {
  auto body = parseJsonBody(req);
  if (body.error) return *body.error;
  const auto* email = body.object.if_contains("email");
  const auto* password = body.object.if_contains("password");
  if (!email || !email->is_string() || !password || !password->is_string()) {
    return Response::error(400, "bad_request", "email and password (strings) are required");
  }
  return Credentials{std::string(email->get_string()), std::string(password->get_string())};
}

std::optional<Response> foreignOrigin(const http::Request& req, const auth::OriginPolicy& origins) {
  auto origin = req.header("Origin");
  if (origin && !origins.allows(*origin)) return Response::error(403, "forbidden_origin", "Origin is not allowed");
  return std::nullopt;
}

Response sessionBody(int status, const store::Account& a, const std::string& csrf) {
  return Response::json(status, json::object{{"id", a.id}, {"email", a.email}, {"csrf_token", csrf}});
}

// Answers a sign-in (register: 201, login: 200) with the session cookie.
AccountsService::Done<SessionOut> answerSignIn(http::Respond respond, int status) {
  return [respond = std::move(respond), status](ApiResult<SessionOut> out) {
    if (!out) return respond(failureResponse(out.error()));
    auto r = sessionBody(status, out->account, out->csrf_token);
    r.with("Set-Cookie", out->set_cookie);
    r.with("Cache-Control", "no-store");
    respond(std::move(r));
  };
}

}  // namespace

void addAccountRoutes(http::Router& router, std::shared_ptr<AccountsService> accounts,
                      const auth::OriginPolicy& origins) {
  const auto* policy = &origins;
  router.add("POST", "/api/accounts/register",
             [accounts, policy](const http::Request& r, const http::RouteParams&, http::Respond respond) {
               if (auto refused = foreignOrigin(r, *policy)) return respond(*refused);
               auto creds = readCredentials(r);
               if (!creds) return respond(creds.error());
               accounts->registerAccount(AccountCaller::of(r), creds->email, std::move(creds->password),
                                         answerSignIn(std::move(respond), 201));
             });
  router.add("POST", "/api/accounts/login",
             [accounts, policy](const http::Request& r, const http::RouteParams&, http::Respond respond) {
               if (auto refused = foreignOrigin(r, *policy)) return respond(*refused);
               auto creds = readCredentials(r);
               if (!creds) return respond(creds.error());
               accounts->login(AccountCaller::of(r), creds->email, std::move(creds->password),
                               answerSignIn(std::move(respond), 200));
             });
  router.add("POST", "/api/accounts/logout",
             [accounts, policy](const http::Request& r, const http::RouteParams&, http::Respond respond) {
               if (auto refused = foreignOrigin(r, *policy)) return respond(*refused);
               accounts->logout(AccountCaller::of(r), [respond = std::move(respond)](ApiResult<SignedOut> out) {
                 if (!out) return respond(failureResponse(out.error()));
                 auto ok = Response::json(200, json::object{{"status", "signed_out"}});
                 ok.with("Set-Cookie", out->set_cookie);
                 respond(std::move(ok));
               });
             });
  router.add("GET", "/api/accounts/me",
             [accounts](const http::Request& r, const http::RouteParams&, http::Respond respond) {
               accounts->me(AccountCaller::of(r), [respond = std::move(respond)](ApiResult<SessionView> out) {
                 if (!out) return respond(failureResponse(out.error()));
                 respond(sessionBody(200, out->account, out->csrf_token));
               });
             });
}

}  // namespace sg::app
