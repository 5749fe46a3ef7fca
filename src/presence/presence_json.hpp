#pragma once
// The JSON shapes of Phoenix Presence, as the stock client's `Presence` class reads them:
// a presence is `{"metas": [meta, ...]}` under its key (the user id); `presence_state` is
// an object of presences; `presence_diff` is `{"joins": {...}, "leaves": {...}}`. Every
// meta carries `phx_ref`, the id the client matches joins and leaves by. Other nodes'
// diffs and states are read back with the same shapes.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::presence {

// One socket's presence on one topic.
struct Meta {
  std::string phx_ref;         // unique in the cluster: its node's prefix and a counter
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
// A presence_diff payload.
std::string encodeDiff(const std::vector<const Entry*>& joins, const std::vector<const Entry*>& leaves);
// presence_diff for one meta joining or leaving.
std::string encodeDiff(const Entry& entry, bool joined);

// Every phx_ref starts with the prefix of the node that made it (Tracker): the node an
// entry lives on is known from its ref alone.
inline constexpr std::size_t kNodePrefixChars = 8;
inline std::string_view nodeOf(std::string_view phx_ref) { return phx_ref.substr(0, kNodePrefixChars); }

// The entries of a presences object; nullopt when it is not one (a meta without a string
// phx_ref, metas not an array...). Fields other than those of Meta are dropped.
std::optional<std::vector<Entry>> parsePresences(const boost::json::value& presences);

}  // namespace sg::presence
