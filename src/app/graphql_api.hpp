#pragma once
// GraphQL over HTTP (the GraphQL-over-HTTP draft) at /api/graphql:
//   POST  Content-Type: application/json {query, variables?, operationName?}
//   GET   ?query=...&variables=<JSON>&operationName=...   queries only (405 for a mutation)
// Answers application/graphql-response+json when the client accepts it (then a request
// that fails before execution, e.g. a validation error, is a 400) and application/json
// otherwise (then such a request is a 200 with errors and no data, as older clients
// expect); 406 when it accepts neither, 415 for another content type.
//
// The session cookie is the credential; Cross-Site Request Forgery is kept out this way:
//   - a request with an Origin must have an allowed one (403), as everywhere;
//   - accountsLogin/accountsRegister (which create the session) need an allowed Origin;
//   - any other mutation that uses the cookie checks X-CSRF-Token (its resolver does:
//     accountsLogout, socketTicket);
//   - a request that carries the cookie needs an allowed Origin, except a GET the browser
//     marks Sec-Fetch-Site: same-origin (browsers send no Origin on same-origin GETs).
// A JSON content type cannot be sent cross-site without a CORS preflight, which this
// server never grants.
#include "app/graphql_service.hpp"
#include "auth/origin_policy.hpp"
#include "http/router.hpp"

#include <memory>

namespace sg::app {

inline constexpr std::string_view kGraphqlPath = "/api/graphql";

void addGraphqlRoutes(http::Router& router, std::shared_ptr<GraphqlService> service, const auth::OriginPolicy& origins);

}  // namespace sg::app
