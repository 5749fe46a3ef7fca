#pragma once
// The HTTP API for backends, authenticated by server API key:
//   POST /api/broadcast {topic, event, payload}  -> publish to every socket joined to topic
//   POST /api/broadcast/batch {broadcasts: [...]} -> publish each, in order (all or none)
//   POST /api/users/{id}/disconnect              -> close the user's sockets (session_revoked)
#include "app/api_failure.hpp"
#include "auth/api_keys.hpp"
#include "http/router.hpp"
#include "obs/metrics.hpp"
#include "pubsub/pubsub.hpp"

#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <string>

namespace sg::app {

// Closes every socket of a user, on every shard (and, later, every node).
using DisconnectUser = std::function<void(const std::string& user_id)>;

inline constexpr std::size_t kMaxBatchBroadcasts = 1000;

void addServerApiRoutes(http::Router& router, const auth::ApiKeys& keys, pubsub::PubSub& pubsub, obs::Metrics& metrics,
                        DisconnectUser disconnect);

// Answers 401 unless the request carries a valid server API key; nullopt when it does.
std::optional<http::Response> requireApiKey(const http::Request& request, const auth::ApiKeys& keys);

// Parses a JSON object body, or answers 400/415 with a JSON error.
struct JsonBody {
  boost::json::object object;
  std::optional<http::Response> error;
};
// `storage` as for parseClientJson: the object is then valid while it is.
// A Content-Type other than application/json is refused 415 (see declaresJsonBody).
JsonBody parseJsonBody(const http::Request& request, boost::json::storage_ptr storage = {});

// Whether the request's body may be read as JSON: application/json, or no Content-Type.
bool declaresJsonBody(const http::Request& request);

// The quick way through the small bodies backends send on every connection
// ({"user_id": "42"}): true when `body` is a JSON object whose members are all strings,
// each named in `names` and present at most once, written in printable ASCII without
// escapes; out[i] is then the value of names[i] (nullopt when absent), a view of `body`.
// false for anything else, which must then be parsed in full (parseJsonBody): what this
// accepts, the full parse reads the same.
bool readPlainStringObject(std::string_view body, std::span<const std::string_view> names,
                           std::span<std::optional<std::string_view>> out);

// The JSON error answer of a failed operation (with Retry-After when it has one).
http::Response failureResponse(const ApiFailure& failure);

}  // namespace sg::app
