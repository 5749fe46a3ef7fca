#include "presence/presence_json.hpp"

#include <boost/json/serialize.hpp>

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

std::string encodeDiff(const Entry& entry, bool joined) {
  json::object one = presencesJson({&entry});
  json::object diff;
  diff["joins"] = joined ? std::move(one) : json::object{};
  diff["leaves"] = joined ? json::object{} : std::move(one);
  return json::serialize(diff);
}

}  // namespace sg::presence
