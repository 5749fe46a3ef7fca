#include "app/server_api.hpp"

#include "obs/audit.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace sg::app {
namespace json = boost::json;

std::optional<http::Response> requireApiKey(const http::Request& request, const auth::ApiKeys& keys) {
  auto token = auth::bearerToken(request);
  if (!token) return http::Response::error(401, "missing_credentials", "Authorization: Bearer <api key> required");
  if (!keys.verify(*token)) return http::Response::error(401, "token_invalid", "unknown API key");
  return std::nullopt;
}

JsonBody parseJsonBody(const http::Request& request) {
  auto type = request.header("Content-Type");
  if (type && !type->starts_with("application/json")) {
    return {{}, http::Response::error(415, "unsupported_media_type", "expected application/json")};
  }
  json::parse_options options;
  options.max_depth = 32;
  boost::system::error_code ec;
  auto value = json::parse(request.body, ec, {}, options);
  if (ec || !value.is_object()) return {{}, http::Response::error(400, "bad_request", "body must be a JSON object")};
  return {std::move(value.get_object()), std::nullopt};
}

namespace {

const json::string* stringField(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

http::Response broadcast(const http::Request& request, const auth::ApiKeys& keys, pubsub::PubSub& pubsub,
                         obs::Metrics& metrics) {
  if (auto denied = requireApiKey(request, keys)) return *denied;
  auto body = parseJsonBody(request);
  if (body.error) return *body.error;
  const auto* topic = stringField(body.object, "topic");
  const auto* event = stringField(body.object, "event");
  if (!topic || topic->empty() || topic->size() > 255) {
    return http::Response::error(400, "bad_request", "topic: a string of 1 to 255 bytes is required");
  }
  if (!event || event->empty() || event->size() > 255 || event->starts_with("phx_")) {
    return http::Response::error(400, "bad_request", "event: a string of 1 to 255 bytes, not phx_*, is required");
  }
  json::value payload = json::object{};
  if (auto* p = body.object.if_contains("payload")) payload = *p;
  obs::inc(metrics.broadcasts);
  pubsub.publish(std::make_shared<const pubsub::Broadcast>(std::string(*topic), std::string(*event),
                                                           json::serialize(payload), false));
  return http::Response::json(202, json::object{{"status", "accepted"}});
}

}  // namespace

void addServerApiRoutes(http::Router& router, const auth::ApiKeys& keys, pubsub::PubSub& pubsub, obs::Metrics& metrics,
                        DisconnectUser disconnect) {
  router.addSync("POST", "/api/broadcast", [&](const http::Request& req, const http::RouteParams&) {
    return broadcast(req, keys, pubsub, metrics);
  });
  router.addSync("POST", "/api/users/{id}/disconnect",
                 [&keys, disconnect = std::move(disconnect)](const http::Request& req, const http::RouteParams& params) {
                   if (auto denied = requireApiKey(req, keys)) return *denied;
                   const std::string& user_id = params.at(0).second;
                   disconnect(user_id);
                   obs::audit("user_disconnected", {{"user", user_id}, {"by", "api_key"}, {"ip", req.client_ip}});
                   return http::Response::json(202, json::object{{"status", "accepted"}});
                 });
}

}  // namespace sg::app
