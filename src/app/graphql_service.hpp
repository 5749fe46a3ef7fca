#pragma once
// The application's GraphQL API: the schema of app/graphql_schema and its resolvers over
// the same services as the REST API (AccountsService, TicketMinting), on sockguard's
// engine (src/graphql). Transports (HTTP in app/graphql_api, the WebSocket protocols)
// prepare documents here and execute them with a GraphqlCaller as the context.
#include "app/accounts_service.hpp"
#include "app/ticket_minting.hpp"
#include "auth/session_lookup.hpp"
#include "graphql/graphql.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sg::app {

// Who asks, as the resolvers see it: an HTTP request (cookie session) or a socket (the
// connection's identity). Lives until the execution's `done` has run.
struct GraphqlCaller {
  AccountCaller account;  // client IP, session cookie, X-CSRF-Token (HTTP)
  // A socket's identity; then there is no cookie, and sign-in and logout are HTTP's.
  std::optional<Identity> identity;
  std::string origin;     // "" when the request sent none
  std::string socket_url;  // what a minted ticket is for
  // Runs a task on the execution's thread, after the ones posted before it: resolvers that
  // answer from a pool come back through it (the engine's completions are not thread-safe).
  std::function<void(std::function<void()>)> post;
  // Sign-in and logout set or clear the session cookie: Set-Cookie values for HTTP.
  std::vector<std::string> set_cookies;
};

// The operation a request names (or the document's only one); null when there is none.
const graphql::ast::OperationDefinition* chosenOperation(const graphql::ast::Document& document,
                                                         std::string_view operation_name);

class GraphqlService {
 public:
  GraphqlService(std::shared_ptr<AccountsService> accounts, TicketMinting& minting, auth::SessionLookup* sessions);

  const graphql::Engine& engine() const { return *engine_; }

 private:
  graphql::Resolvers resolvers();
  template <typename Later>
  void mintFor(const Identity& who, GraphqlCaller& caller, Later later);

  std::shared_ptr<AccountsService> accounts_;
  TicketMinting& minting_;
  auth::SessionLookup* sessions_;
  std::unique_ptr<graphql::Engine> engine_;
};

}  // namespace sg::app
