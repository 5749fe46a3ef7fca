#pragma once
// The HTTP API for backends, authenticated by server API key:
//   POST /api/broadcast {topic, event, payload}  -> publish to every socket joined to topic
#include "auth/api_keys.hpp"
#include "http/router.hpp"
#include "obs/metrics.hpp"
#include "pubsub/pubsub.hpp"

namespace sg::app {

void addServerApiRoutes(http::Router& router, const auth::ApiKeys& keys, pubsub::PubSub& pubsub, obs::Metrics& metrics);

// Answers 401 unless the request carries a valid server API key; nullopt when it does.
std::optional<http::Response> requireApiKey(const http::Request& request, const auth::ApiKeys& keys);

// Parses a JSON object body, or answers 400/415 with a JSON error.
struct JsonBody {
  boost::json::object object;
  std::optional<http::Response> error;
};
JsonBody parseJsonBody(const http::Request& request);

}  // namespace sg::app
