#include "protocol/graphql_ws_messages.hpp"

#include "core/text.hpp"
#include "core/json_input.hpp"

#include <boost/json/serialize.hpp>

namespace sg::protocol::graphql_ws {
namespace json = boost::json;

namespace {

using Parsed = boost::system::result<ClientMessage, std::string>;

// An optional object field: absent or null is an empty object.
boost::system::result<json::object, std::string> optionalObject(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v || v->is_null()) return json::object{};
  if (!v->is_object()) return std::string(name) + " must be an object";
  return v->get_object();
}

boost::system::result<std::string, std::string> requiredId(const json::object& o) {
  const auto* id = o.if_contains("id");
  using boost::system::in_place_error;
  if (!id || !id->is_string() || id->get_string().empty()) return {in_place_error, "id must be a non-empty string"};
  if (id->get_string().size() > 128) return {in_place_error, "id is longer than 128 bytes"};
  return {boost::system::in_place_value, id->get_string()};
}

Parsed parseSubscribe(const json::object& o) {
  auto id = requiredId(o);
  if (!id) return id.error();
  const auto* payload = o.if_contains("payload");
  if (!payload || !payload->is_object()) return std::string("subscribe needs a payload object");
  const auto& p = payload->get_object();
  const auto* query = p.if_contains("query");
  if (!query || !query->is_string()) return std::string("payload.query must be a string");
  auto variables = optionalObject(p, "variables");
  if (!variables) return "payload." + variables.error();
  if (auto extensions = optionalObject(p, "extensions"); !extensions) return "payload." + extensions.error();
  std::string operation_name;
  if (const auto* name = p.if_contains("operationName"); name && !name->is_null()) {
    if (!name->is_string()) return std::string("payload.operationName must be a string");
    operation_name = std::string(name->get_string());
  }
  return Subscribe{std::move(*id), GraphqlRequest{std::string(query->get_string()), std::move(*variables),
                                                  std::move(operation_name)}};
}

std::string withPayload(std::string_view type, const json::object& payload) {
  std::string out = "{\"type\":\"";
  out += type;
  out += '"';
  if (!payload.empty()) {
    out += ",\"payload\":";
    out += json::serialize(payload);
  }
  out += '}';
  return out;
}

std::string withId(std::string_view type, std::string_view id, std::string_view payload) {
  std::string out = "{\"id\":";
  appendJsonString(out, id);
  out += ",\"type\":\"";
  out += type;
  out += '"';
  if (!payload.empty()) {
    out += ",\"payload\":";
    out += payload;
  }
  out += '}';
  return out;
}

}  // namespace

Parsed parseClientMessage(std::string_view text) {
  auto parsed = parseClientJson(text, 64);
  if (!parsed && parsed.error() == JsonInputError::NotFinite) return std::string("numbers must be finite");
  if (!parsed || !parsed->is_object()) return std::string("message must be a JSON object");
  auto& value = *parsed;
  const auto& o = value.get_object();
  const auto* type = o.if_contains("type");
  if (!type || !type->is_string()) return std::string("type must be a string");
  std::string_view t = type->get_string();
  if (t == "connection_init") {
    auto payload = optionalObject(o, "payload");
    if (!payload) return payload.error();
    return ConnectionInit{std::move(*payload)};
  }
  if (t == "ping") {
    auto payload = optionalObject(o, "payload");
    if (!payload) return payload.error();
    return Ping{std::move(*payload)};
  }
  if (t == "pong") {
    if (auto payload = optionalObject(o, "payload"); !payload) return payload.error();
    return Pong{};
  }
  if (t == "subscribe") return parseSubscribe(o);
  if (t == "complete") {
    auto id = requiredId(o);
    if (!id) return id.error();
    return Complete{std::move(*id)};
  }
  return std::string("unknown message type");
}

std::string connectionAck(const json::object& payload) { return withPayload("connection_ack", payload); }
std::string pong(const json::object& payload) { return withPayload("pong", payload); }
std::string next(std::string_view id, std::string_view result) { return withId("next", id, result); }
std::string error(std::string_view id, std::string_view errors) { return withId("error", id, errors); }
std::string complete(std::string_view id) { return withId("complete", id, {}); }

}  // namespace sg::protocol::graphql_ws
