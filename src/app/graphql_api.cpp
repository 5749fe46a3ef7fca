#include "app/graphql_api.hpp"

#include "app/ticket_api.hpp"
#include "core/serial_tasks.hpp"
#include "core/text.hpp"
#include "core/json_input.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace sg::app {
namespace json = boost::json;
using http::Response;

namespace {

constexpr std::string_view kGraphqlResponseType = "application/graphql-response+json";
constexpr std::string_view kJsonType = "application/json";

// The request's {query, variables, operationName}, or why it is not one (a request error:
// 4xx whatever the media type).
struct GraphqlRequest {
  std::string query;
  json::object variables;
  std::string operation_name;
};
struct RequestError {
  int status;
  std::string message;
  std::string_view code = "bad_request";
};

// A JSON text of at most 32 levels with finite numbers.
boost::system::result<json::value, RequestError> parseJson(std::string_view text, std::string_view what) {
  auto value = parseClientJson(text);
  if (!value && value.error() == JsonInputError::NotFinite) {
    return RequestError{400, std::string(kNotFiniteMessage)};
  }
  if (!value) return RequestError{400, std::string(what) + " is not valid JSON"};
  return std::move(*value);
}

// `variables`/`operationName` may be absent or null.
boost::system::result<GraphqlRequest, RequestError> fromFields(const json::value* query, const json::value* variables,
                                                              const json::value* operation_name) {
  if (!query || !query->is_string()) return RequestError{400, "query (a string) is required"};
  GraphqlRequest r{std::string(query->get_string()), {}, {}};
  if (variables && !variables->is_null()) {
    if (!variables->is_object()) return RequestError{400, "variables must be an object"};
    r.variables = variables->get_object();
  }
  if (operation_name && !operation_name->is_null()) {
    if (!operation_name->is_string()) return RequestError{400, "operationName must be a string"};
    r.operation_name = std::string(operation_name->get_string());
  }
  return r;
}

boost::system::result<GraphqlRequest, RequestError> readPost(const http::Request& req) {
  auto type = req.header("Content-Type");
  if (!type || !iequals(trim(type->substr(0, type->find(';'))), kJsonType)) {
    return RequestError{415, "Content-Type must be application/json", "unsupported_media_type"};
  }
  auto body = parseJson(req.body, "the body");
  if (!body) return body.error();
  if (!body->is_object()) return RequestError{400, "the body must be a JSON object"};
  const auto& o = body->get_object();
  return fromFields(o.if_contains("query"), o.if_contains("variables"), o.if_contains("operationName"));
}

boost::system::result<GraphqlRequest, RequestError> readGet(const http::Request& req) {
  if (!req.query_valid) return RequestError{400, "the query string is malformed"};
  const auto* query = req.param("query");
  if (!query) return RequestError{400, "query (a parameter) is required"};
  json::value query_value(*query);
  json::value variables;
  if (const auto* text = req.param("variables")) {
    auto parsed = parseJson(*text, "variables");
    if (!parsed) return parsed.error();
    variables = std::move(*parsed);
  }
  json::value operation_name;
  if (const auto* name = req.param("operationName")) operation_name = json::value(*name);
  return fromFields(&query_value, &variables, &operation_name);
}

// Which media type the client reads, from Accept (none: application/json, as older
// clients send no Accept). Empty when it reads neither.
std::string_view responseType(const http::Request& req) {
  auto accept = req.header("Accept");
  if (!accept) return kJsonType;
  bool json_ok = false;
  for (auto rest = *accept; !rest.empty();) {
    auto comma = rest.find(',');
    auto item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto type = trim(item.substr(0, item.find(';')));
    // q=0 means "not this one".
    auto params = item.find(';') == std::string_view::npos ? std::string_view() : item.substr(item.find(';'));
    if (params.find("q=0") != std::string_view::npos && params.find("q=0.") == std::string_view::npos) continue;
    if (iequals(type, kGraphqlResponseType)) return kGraphqlResponseType;
    if (iequals(type, kJsonType) || type == "*/*" || iequals(type, "application/*")) json_ok = true;
  }
  return json_ok ? kJsonType : std::string_view();
}

Response graphqlResponse(int status, std::string_view type, std::string body) {
  auto r = Response::text(status, std::move(body), std::string(type) + "; charset=utf-8");
  r.with("Cache-Control", "no-store");
  return r;
}

// A request error as a GraphQL response (clients read "errors" whatever the status).
Response requestError(std::string_view type, const RequestError& e) {
  json::object error{{"message", e.message}, {"extensions", json::object{{"code", e.code}}}};
  auto r = graphqlResponse(e.status, type.empty() ? kJsonType : type,
                           json::serialize(json::object{{"errors", json::array{std::move(error)}}}));
  if (e.status == 405) r.with("Allow", "POST");
  return r;
}

// Whether a mutation creates the session (accountsLogin/accountsRegister at its root).
bool signsIn(const graphql::ast::OperationDefinition& op) {
  return std::any_of(op.selection_set.items.begin(), op.selection_set.items.end(), [](const auto& s) {
    return s.kind == graphql::ast::SelectionKind::Field && (s.name == "accountsLogin" || s.name == "accountsRegister");
  });
}

// The Origin rules of the header comment; a refusal, or nullopt.
std::optional<RequestError> forgeryCheck(const http::Request& req, const graphql::ast::OperationDefinition* op,
                                         const auth::OriginPolicy& origins, bool has_cookie) {
  auto origin = req.header("Origin");
  if (origin && !origins.allows(*origin)) return RequestError{403, "Origin is not allowed", "forbidden_origin"};
  if (origin) return std::nullopt;
  if (op && op->operation == graphql::ast::OperationType::Mutation && signsIn(*op)) {
    return RequestError{403, "signing in needs an allowed Origin header", "forbidden_origin"};
  }
  if (has_cookie) {
    auto site = req.header("Sec-Fetch-Site");
    if (req.method == "GET" && site && iequals(*site, "same-origin")) return std::nullopt;
    return RequestError{403, "a request with the session cookie needs an allowed Origin header", "forbidden_origin"};
  }
  return std::nullopt;
}

// The largest retryAfter any error asks for, to answer as Retry-After too.
std::optional<std::int64_t> retryAfter(const json::object& response) {
  std::optional<std::int64_t> most;
  if (const auto* errors = response.if_contains("errors"); errors && errors->is_array()) {
    for (const auto& e : errors->get_array()) {
      const auto* ext = e.is_object() ? e.get_object().if_contains("extensions") : nullptr;
      const auto* r = ext && ext->is_object() ? ext->get_object().if_contains("retryAfter") : nullptr;
      if (r && r->is_int64()) most = std::max(most.value_or(0), r->get_int64());
    }
  }
  return most;
}

struct Execution {
  GraphqlCaller caller;
  std::shared_ptr<SerialTasks> serial = std::make_shared<SerialTasks>();
  graphql::PreparedPtr document;
  GraphqlRequest request;
};

void serve(const http::Request& req, GraphqlService& service, const auth::OriginPolicy& origins,
           http::Respond respond) {
  auto type = responseType(req);
  if (type.empty()) {
    return respond(requestError(
        kJsonType, {406, "Accept must allow application/graphql-response+json or application/json", "not_acceptable"}));
  }
  auto parsed = req.method == "GET" ? readGet(req) : readPost(req);
  if (!parsed) return respond(requestError(type, parsed.error()));

  auto prepared = service.engine().prepare(parsed->query);
  auto account = AccountCaller::of(req);
  // A document that does not parse or validate has no operation to judge; it is answered
  // all the same (after the Origin check, which does not need one).
  const graphql::ast::OperationDefinition* op =
      prepared ? chosenOperation(*(*prepared)->document, parsed->operation_name) : nullptr;
  if (op && op->operation == graphql::ast::OperationType::Mutation && req.method == "GET") {
    return respond(requestError(type, {405, "mutations need POST", "method_not_allowed"}));
  }
  if (auto refused = forgeryCheck(req, op, origins, account.session_cookie.has_value())) {
    return respond(requestError(type, *refused));
  }
  int before_execution = type == kGraphqlResponseType ? 400 : 200;
  if (!prepared) {
    return respond(graphqlResponse(before_execution, type,
                                   graphql::serializeResponse(graphql::errorResponse(prepared.error()))));
  }
  if (op && op->operation == graphql::ast::OperationType::Subscription) {
    return respond(requestError(type, {400, "subscriptions are served over WebSocket: graphql-transport-ws at /api/graphql"}));
  }

  auto run = std::make_shared<Execution>();
  run->caller.account = std::move(account);
  run->caller.origin = std::string(req.header("Origin").value_or(""));
  auto url = socketUrl(req);
  run->caller.socket_url = url + "/websocket";
  run->document = std::move(*prepared);
  run->request = std::move(*parsed);
  run->caller.post = [serial = run->serial](std::function<void()> task) { serial->post(std::move(task)); };
  // The whole execution runs through `serial`: resolvers complete from the pools' threads.
  run->serial->post([run, &service, type, before_execution, respond = std::move(respond)]() mutable {
    graphql::ExecuteOptions options;
    options.operation_name = run->request.operation_name;
    options.variables = &run->request.variables;
    options.context = &run->caller;
    service.engine().execute(run->document, std::move(options),
                             [run, type, before_execution, respond = std::move(respond)](json::object response) mutable {
                               int status = response.contains("data") ? 200 : before_execution;
                               auto r = graphqlResponse(status, type, graphql::serializeResponse(response));
                               for (auto& cookie : run->caller.set_cookies) r.with("Set-Cookie", std::move(cookie));
                               if (auto wait = retryAfter(response)) r.with("Retry-After", std::to_string(*wait));
                               respond(std::move(r));
                             });
  });
}

}  // namespace

void addGraphqlRoutes(http::Router& router, std::shared_ptr<GraphqlService> service, const auth::OriginPolicy& origins) {
  const auto* policy = &origins;
  auto handler = [service, policy](const http::Request& req, const http::RouteParams&, http::Respond respond) {
    serve(req, *service, *policy, std::move(respond));
  };
  router.add("POST", kGraphqlPath, handler);
  router.add("GET", kGraphqlPath, handler);
}

}  // namespace sg::app
