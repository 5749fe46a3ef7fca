#pragma once
// The built-in application's accounts over REST (issue: accounts, cookie sessions, CSRF),
// an adapter over app::AccountsService (which says how sign-in works and why):
//   POST /api/accounts/register {email, password} -> 201 {id, email, csrf_token} + session cookie
//   POST /api/accounts/login    {email, password} -> 200 {id, email, csrf_token} + session cookie
//   POST /api/accounts/logout   (cookie + X-CSRF-Token) -> 200; closes the session's sockets
//   GET  /api/accounts/me       (cookie) -> {id, email, csrf_token}
// A request that carries an Origin must carry an allowed one (403 forbidden_origin).
#include "app/accounts_service.hpp"
#include "auth/origin_policy.hpp"
#include "http/router.hpp"

#include <memory>

namespace sg::app {

void addAccountRoutes(http::Router& router, std::shared_ptr<AccountsService> accounts, const auth::OriginPolicy& origins);

}  // namespace sg::app
