#include "messages.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace sg::attack {
namespace json = boost::json;

std::string joinMessage(std::string_view ref, std::string_view topic) {
  return json::serialize(json::array{ref, ref, topic, "phx_join", json::object{}});
}

std::string heartbeatMessage(std::string_view ref) {
  return json::serialize(json::array{nullptr, ref, "phoenix", "heartbeat", json::object{}});
}

std::string authMessage(std::string_view ref, std::string_view token) {
  return json::serialize(json::array{nullptr, ref, "phoenix", "auth", json::object{{"token", token}}});
}

std::optional<ServerMessage> parseServerMessage(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec || !value.is_array() || value.get_array().size() != 5) return std::nullopt;
  const auto& a = value.get_array();
  auto str = [](const json::value& v) { return v.is_string() ? std::string(v.get_string()) : std::string(); };
  ServerMessage m;
  m.join_ref = str(a[0]);
  m.ref = str(a[1]);
  m.topic = str(a[2]);
  m.event = str(a[3]);
  const json::object* payload = a[4].if_object();
  auto field = [payload](std::string_view name) -> const json::value* {
    return payload ? payload->if_contains(name) : nullptr;
  };
  if (m.topic == "phoenix" && m.event == "connect_error") {
    m.connect_error = true;
    if (const auto* r = field("reason")) m.reason = str(*r);
    if (const auto* r = field("retry_after_ms"); r && r->is_int64()) m.retry_after_ms = r->get_int64();
  } else if (m.event == "phx_reply") {
    m.reply = true;
    const auto* status = field("status");
    m.reply_ok = status && status->is_string() && status->get_string() == "ok";
    if (const auto* response = field("response"); response && response->is_object()) {
      if (const auto* r = response->get_object().if_contains("reason")) m.reason = str(*r);
    }
  }
  if (const auto* s = field("s"); s && s->is_int64()) m.seq = s->get_int64();
  return m;
}

}  // namespace sg::attack
