#include "app/server_api.hpp"

#include "core/encoding.hpp"
#include "obs/audit.hpp"
#include "core/json_input.hpp"
#include "core/plain_json_cursor.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <memory>
#include <mutex>

namespace sg::app {
namespace json = boost::json;

std::optional<http::Response> requireApiKey(const http::Request& request, const auth::ApiKeys& keys) {
  auto token = auth::bearerToken(request);
  if (!token) return http::Response::error(401, "missing_credentials", "Authorization: Bearer <api key> required");
  if (!keys.verify(*token)) return http::Response::error(401, "token_invalid", "unknown API key");
  return std::nullopt;
}

bool declaresJsonBody(const http::Request& request) {
  auto type = request.header("Content-Type");
  return !type || type->starts_with("application/json");
}

JsonBody parseJsonBody(const http::Request& request, json::storage_ptr storage) {
  if (!declaresJsonBody(request)) {
    return {{}, http::Response::error(415, "unsupported_media_type", "expected application/json")};
  }
  auto value = parseClientJson(request.body, kClientJsonDepth, std::move(storage));
  if (!value && value.error() == JsonInputError::NotFinite) {
    return {{}, http::Response::error(400, "bad_request", kNotFiniteMessage)};
  }
  if (!value || !value->is_object()) return {{}, http::Response::error(400, "bad_request", "body must be a JSON object")};
  return {std::move(value->get_object()), std::nullopt};
}

bool readPlainStringObject(std::string_view body, std::span<const std::string_view> names,
                           std::span<std::optional<std::string_view>> out) {
  for (auto& o : out) o.reset();
  PlainJsonCursor in(body);
  in.skipSpace();
  if (!in.take('{')) return false;
  in.skipSpace();
  if (!in.take('}')) {
    for (;;) {
      auto name = in.plainString();
      if (!name) return false;
      in.skipSpace();
      if (!in.take(':')) return false;
      in.skipSpace();
      auto value = in.plainString();
      if (!value) return false;
      auto known = std::find(names.begin(), names.end(), *name);
      if (known == names.end()) return false;
      auto& slot = out[static_cast<std::size_t>(known - names.begin())];
      if (slot) return false;  // twice: left to the full parse
      slot = value;
      in.skipSpace();
      if (in.take(',')) {
        in.skipSpace();
        continue;
      }
      if (!in.take('}')) return false;
      break;
    }
  }
  in.skipSpace();
  return in.atEnd();
}

namespace {

const json::string* stringField(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

// One {topic, event, payload} of a publish request, checked; or why it is refused.
struct ParsedBroadcast {
  pubsub::BroadcastPtr message;
  std::string error;
};

ParsedBroadcast parseBroadcast(const json::object& o) {
  const auto* topic = stringField(o, "topic");
  const auto* event = stringField(o, "event");
  if (!topic || topic->empty() || topic->size() > 255) return {nullptr, "topic: a string of 1 to 255 bytes is required"};
  if (!event || event->empty() || event->size() > 255 || event->starts_with("phx_")) {
    return {nullptr, "event: a string of 1 to 255 bytes, not phx_*, is required"};
  }
  if (auto* b64 = o.if_contains("payload_base64")) {
    // Binary: V2 sockets get a binary broadcast frame (kind 2), V1 sockets the base64 in
    // {"payload_base64"} (they have no binary frames).
    if (o.contains("payload")) return {nullptr, "payload and payload_base64 exclude each other"};
    std::optional<std::string> bytes;
    if (b64->is_string()) bytes = base64EitherDecode(b64->get_string());
    if (!bytes) return {nullptr, "payload_base64: a base64 string is required"};
    return {std::make_shared<const pubsub::Broadcast>(std::string(*topic), std::string(*event), std::move(*bytes), true),
            {}};
  }
  json::value payload = json::object{};
  if (auto* p = o.if_contains("payload")) payload = *p;
  return {std::make_shared<const pubsub::Broadcast>(std::string(*topic), std::string(*event), json::serialize(payload),
                                                    false),
          {}};
}

// Broadcasts are waiting faster than the shards deliver them: tell the backend to retry
// rather than grow the backlog (memory, and latency for every subscriber).
http::Response busy() {
  return http::Response::error(503, "server_busy", "broadcast backlog is full; retry later").with("Retry-After", "1");
}

// The broker could not take the broadcast to every node: nothing was acknowledged.
http::Response unavailable() {
  return http::Response::error(503, "server_busy", "broadcasts cannot reach every node; retry later")
      .with("Retry-After", "1");
}

// Answered once the broadcast is on its way to every node (in a cluster, once Redis has
// taken it): a 202 is never given for a broadcast that a dropped link then loses.
void broadcast(const http::Request& request, const auth::ApiKeys& keys, pubsub::PubSub& pubsub, obs::Metrics& metrics,
               http::Respond respond) {
  if (auto denied = requireApiKey(request, keys)) return respond(*denied);
  auto body = parseJsonBody(request);
  if (body.error) return respond(*body.error);
  auto parsed = parseBroadcast(body.object);
  if (!parsed.message) return respond(http::Response::error(400, "bad_request", parsed.error));
  if (pubsub.overloaded()) return respond(busy());
  pubsub.publishConfirmed(std::move(parsed.message),
                          [&metrics, respond = std::move(respond)](boost::system::result<void> published) {
                            if (!published) return respond(unavailable());
                            obs::inc(metrics.broadcasts);
                            respond(http::Response::json(202, json::object{{"status", "accepted"}}));
                          });
}

// Many broadcasts in one request, published in order; all are checked before any is
// published, so a refused batch publishes nothing. A backend with a high message rate
// saves a round trip per message, and the shards deliver the batch together.
void broadcastBatch(const http::Request& request, const auth::ApiKeys& keys, pubsub::PubSub& pubsub,
                    obs::Metrics& metrics, http::Respond respond) {
  if (auto denied = requireApiKey(request, keys)) return respond(*denied);
  auto body = parseJsonBody(request);
  if (body.error) return respond(*body.error);
  const auto* list = body.object.if_contains("broadcasts");
  if (!list || !list->is_array() || list->get_array().empty() || list->get_array().size() > kMaxBatchBroadcasts) {
    return respond(http::Response::error(
        400, "bad_request", "broadcasts: an array of 1 to " + std::to_string(kMaxBatchBroadcasts) + " is required"));
  }
  std::vector<pubsub::BroadcastPtr> messages;
  messages.reserve(list->get_array().size());
  for (const auto& item : list->get_array()) {
    std::string where = "broadcasts[" + std::to_string(messages.size()) + "]";
    if (!item.is_object()) return respond(http::Response::error(400, "bad_request", where + ": an object is required"));
    auto parsed = parseBroadcast(item.get_object());
    if (!parsed.message) return respond(http::Response::error(400, "bad_request", where + "." + parsed.error));
    messages.push_back(std::move(parsed.message));
  }
  if (pubsub.overloaded()) return respond(busy());
  // Published in order; the answer waits for every one's confirmation. A broker outage
  // part way through is answered with how many were published before the first failure.
  struct Tally {
    std::mutex mutex;
    std::size_t answered = 0, first_failure, total;
    http::Respond respond;
  };
  auto tally = std::make_shared<Tally>();
  tally->total = tally->first_failure = messages.size();
  tally->respond = std::move(respond);
  for (std::size_t i = 0; i < messages.size(); ++i) {
    pubsub.publishConfirmed(std::move(messages[i]), [tally, i, &metrics](boost::system::result<void> published) {
      std::size_t failure;
      {
        std::lock_guard lock(tally->mutex);
        if (!published) tally->first_failure = std::min(tally->first_failure, i);
        if (++tally->answered < tally->total) return;
        failure = tally->first_failure;
      }
      obs::inc(metrics.broadcasts, failure);
      if (failure < tally->total) {
        return tally->respond(unavailable().with("X-Published-Count", std::to_string(failure)));
      }
      tally->respond(http::Response::json(202, json::object{{"status", "accepted"}, {"count", tally->total}}));
    });
  }
}

}  // namespace

void addServerApiRoutes(http::Router& router, const auth::ApiKeys& keys, pubsub::PubSub& pubsub, obs::Metrics& metrics,
                        DisconnectUser disconnect) {
  router.add("POST", "/api/broadcast", [&](const http::Request& req, const http::RouteParams&, http::Respond respond) {
    broadcast(req, keys, pubsub, metrics, std::move(respond));
  });
  router.add("POST", "/api/broadcast/batch",
             [&](const http::Request& req, const http::RouteParams&, http::Respond respond) {
               broadcastBatch(req, keys, pubsub, metrics, std::move(respond));
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

http::Response failureResponse(const ApiFailure& failure) {
  auto r = http::Response::error(failure.status, failure.code, failure.message);
  if (failure.retry_after_s) r.with("Retry-After", std::to_string(*failure.retry_after_s));
  return r;
}

}  // namespace sg::app
