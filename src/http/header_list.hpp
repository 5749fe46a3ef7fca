#pragma once
// Comma-separated header values (RFC 9110 §5.6.1), e.g. Sec-WebSocket-Protocol: items
// split on ',' and trimmed of optional whitespace (spaces and tabs); empty items skipped.
// One splitter for every list header, so that they cannot drift apart.
#include "http/field_name.hpp"
#include "http/request.hpp"

#include <string_view>

namespace sg::http {

// Calls `visit(item)` for each item of every `name` header in order, until it returns true;
// returns whether one did.
template <class Visit>
bool anyListItem(const Request& request, std::string_view name, Visit&& visit);

// Whether any `name` header lists `item` exactly (case-sensitive, as subprotocol tokens are).
bool listsItem(const Request& request, std::string_view name, std::string_view item);

// Splits one header value; `visit` as above.
template <class Visit>
bool anyItemOf(std::string_view value, Visit&& visit) {
  while (true) {
    auto comma = value.find(',');
    auto item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty() && visit(item)) return true;
    if (comma == std::string_view::npos) return false;
    value.remove_prefix(comma + 1);
  }
}

template <class Visit>
bool anyListItem(const Request& request, std::string_view name, Visit&& visit) {
  for (const auto& h : request.headers) {
    // Sizes first, inline: most fields are ruled out without a call.
    if (h.name.size() == name.size() && sameFieldName(h.name, name) && anyItemOf(h.value, visit)) return true;
  }
  return false;
}

inline bool listsItem(const Request& request, std::string_view name, std::string_view item) {
  return anyListItem(request, name, [&](std::string_view it) { return it == item; });
}

}  // namespace sg::http
