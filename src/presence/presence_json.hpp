#pragma once
// The JSON shapes of Phoenix Presence, as the stock client's `Presence` class reads them:
// a presence is `{"metas": [meta, ...]}` under its key (the user id); `presence_state` is
// an object of presences; `presence_diff` is `{"joins": {...}, "leaves": {...}}`. Every
// meta carries `phx_ref`, the id the client matches joins and leaves by.
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sg::presence {

// One socket's presence on one topic.
struct Meta {
  std::string phx_ref;         // unique in the cluster: this node's prefix and a counter
  std::int64_t online_at = 0;  // when it joined, Unix seconds
  std::string client;          // the join's `client` parameter; empty = not given
};

struct Entry {
  std::string key;
  Meta meta;
};

boost::json::object metaJson(const Meta& meta);
// `{"<key>": {"metas": [...]}, ...}`: entries of one key gathered in the order given.
boost::json::object presencesJson(const std::vector<const Entry*>& entries);
// presence_diff for one meta joining or leaving.
std::string encodeDiff(const Entry& entry, bool joined);

}  // namespace sg::presence
