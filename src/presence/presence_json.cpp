#include "presence/presence_json.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace sg::presence {
namespace json = boost::json;

json::object metaJson(const Meta& meta) {
  json::object out;
  out["phx_ref"] = meta.phx_ref;
  out["online_at"] = meta.online_at;
  if (!meta.client.empty()) out["client"] = meta.client;
  return out;
}

json::object presencesJson(const std::vector<const Entry*>& entries) {
  json::object out;
  for (const Entry* e : entries) {
    auto& presence = out[e->key];
    if (!presence.is_object()) presence = json::object{{"metas", json::array{}}};
    presence.get_object()["metas"].get_array().push_back(metaJson(e->meta));
  }
  return out;
}

std::string encodeDiff(const std::vector<const Entry*>& joins, const std::vector<const Entry*>& leaves) {
  json::object diff;
  diff["joins"] = presencesJson(joins);
  diff["leaves"] = presencesJson(leaves);
  return json::serialize(diff);
}

std::string encodeDiff(const Entry& entry, bool joined) {
  std::vector<const Entry*> one{&entry};
  return joined ? encodeDiff(one, {}) : encodeDiff({}, one);
}

std::optional<std::vector<Entry>> parsePresences(const json::value& presences) {
  if (!presences.is_object()) return std::nullopt;
  std::vector<Entry> out;
  for (const auto& [key, presence] : presences.get_object()) {
    const auto* metas = presence.is_object() ? presence.get_object().if_contains("metas") : nullptr;
    if (!metas || !metas->is_array()) return std::nullopt;
    for (const auto& m : metas->get_array()) {
      const auto* o = m.if_object();
      const auto* ref = o ? o->if_contains("phx_ref") : nullptr;
      if (!ref || !ref->is_string()) return std::nullopt;
      Entry e{std::string(key), Meta{std::string(ref->get_string()), 0, {}}};
      if (const auto* at = o->if_contains("online_at"); at && at->is_int64()) e.meta.online_at = at->get_int64();
      if (const auto* c = o->if_contains("client"); c && c->is_string()) e.meta.client = std::string(c->get_string());
      out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace sg::presence
