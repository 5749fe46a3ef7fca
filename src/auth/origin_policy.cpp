#include "auth/origin_policy.hpp"

#include <algorithm>
#include <cctype>

namespace sg::auth {
namespace {

struct Parts {
  std::string scheme, host, port;
};

std::optional<Parts> split(std::string_view origin) {
  std::string lower(origin);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto sep = lower.find("://");
  if (sep == std::string::npos || sep == 0) return std::nullopt;
  Parts p;
  p.scheme = lower.substr(0, sep);
  std::string rest = lower.substr(sep + 3);
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string::npos) return std::nullopt;
  if (rest.front() == '[') {  // IPv6 literal
    auto close = rest.find(']');
    if (close == std::string::npos) return std::nullopt;
    p.host = rest.substr(0, close + 1);
    rest = rest.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    if (!rest.empty()) p.port = rest.substr(1);
  } else {
    auto colon = rest.find(':');
    p.host = rest.substr(0, colon);
    if (colon != std::string::npos) p.port = rest.substr(colon + 1);
  }
  if (p.host.empty()) return std::nullopt;
  if (!std::all_of(p.port.begin(), p.port.end(), [](unsigned char c) { return std::isdigit(c); })) return std::nullopt;
  return p;
}

}  // namespace

std::optional<OriginPolicy> OriginPolicy::parse(const std::vector<std::string>& allowed, std::string* error) {
  OriginPolicy policy;
  for (const auto& origin : allowed) {
    auto parts = split(origin);
    if (!parts || parts->scheme.empty()) {
      *error = "auth.allowed_origins: '" + origin + "' is not scheme://host[:port]";
      return std::nullopt;
    }
    Entry e{parts->scheme, parts->host, parts->port, false};
    if (e.host.starts_with("*.")) {
      e.wildcard = true;
      e.host = e.host.substr(2);
      if (e.host.empty() || e.host.find('*') != std::string::npos) {
        *error = "auth.allowed_origins: bad wildcard in '" + origin + "'";
        return std::nullopt;
      }
    } else if (e.host.find('*') != std::string::npos) {
      *error = "auth.allowed_origins: '*' is only allowed as the first label, in '" + origin + "'";
      return std::nullopt;
    }
    policy.parsed_.push_back(std::move(e));
    policy.entries_.push_back(origin);
  }
  return policy;
}

bool OriginPolicy::allows(std::string_view origin) const {
  auto parts = split(origin);
  if (!parts) return false;  // includes "null" (sandboxed frames, file://)
  for (const auto& e : parsed_) {
    if (e.scheme != parts->scheme || e.port != parts->port) continue;
    if (!e.wildcard && e.host == parts->host) return true;
    if (e.wildcard && parts->host.size() > e.host.size() + 1 && parts->host.ends_with("." + e.host)) return true;
  }
  return false;
}

}  // namespace sg::auth
