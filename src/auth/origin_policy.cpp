#include "auth/origin_policy.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sg::auth {
namespace {

bool isLower(char c) { return c >= 'a' && c <= 'z'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), already lower case.
bool validScheme(std::string_view s) {
  if (s.empty() || !isLower(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return isLower(c) || isDigit(c) || c == '+' || c == '-' || c == '.'; });
}

// A DNS name of LDH labels (RFC 1123, and so IDNA A-labels): 1-63 characters each, no
// leading or trailing hyphen, separated by single dots, at most 253 characters in all.
// IPv4 dotted quads are of this form too.
bool validHostName(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  while (true) {
    auto dot = host.find('.');
    auto label = host.substr(0, dot);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return isLower(c) || isDigit(c) || c == '-'; })) return false;
    if (dot == std::string_view::npos) return true;
    host.remove_prefix(dot + 1);
  }
}

bool validIpv6(std::string_view inside) {
  if (inside.empty() || inside.size() > 45) return false;
  // Only what an IPv6 address is written with: inet_pton would stop at a NUL and take
  // "::\0anything" for "::".
  if (!std::all_of(inside.begin(), inside.end(), [](char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || c == ':' || c == '.'; })) {
    return false;
  }
  std::string text(inside);
  unsigned char buf[16];
  return inet_pton(AF_INET6, text.c_str(), buf) == 1;
}

// "443" -> "443"; nullopt unless 1-5 digits of a port in 1..65535.
std::optional<std::string> validPort(std::string_view s) {
  if (s.empty() || s.size() > 5 || !std::all_of(s.begin(), s.end(), isDigit)) return std::nullopt;
  unsigned value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  if (value == 0 || value > 65535) return std::nullopt;
  return std::to_string(value);  // "0443" -> "443"
}

// Parses with `allow_wildcard`: a leading "*." on the host is taken off and reported.
std::optional<ParsedOrigin> parseParts(std::string_view origin, bool allow_wildcard, bool* wildcard) {
  std::string lower(origin);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto sep = lower.find("://");
  if (sep == std::string::npos) return std::nullopt;
  ParsedOrigin p;
  p.scheme = lower.substr(0, sep);
  if (!validScheme(p.scheme)) return std::nullopt;
  std::string_view rest = std::string_view(lower).substr(sep + 3);
  if (allow_wildcard && rest.starts_with("*.")) {
    *wildcard = true;
    rest.remove_prefix(2);
  }
  std::string_view port;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos || !validIpv6(rest.substr(1, close - 1))) return std::nullopt;
    if (*wildcard) return std::nullopt;  // "*.[::1]" means nothing
    p.host = std::string(rest.substr(0, close + 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
      if (port.empty()) return std::nullopt;
    }
  } else {
    auto colon = rest.find(':');
    p.host = std::string(rest.substr(0, colon));
    if (!validHostName(p.host)) return std::nullopt;
    if (colon != std::string_view::npos) {
      port = rest.substr(colon + 1);
      if (port.empty()) return std::nullopt;
    }
  }
  if (!port.empty()) {
    auto normal = validPort(port);
    if (!normal) return std::nullopt;
    p.port = *normal;
  }
  // Browsers never write the default port; a configured one must still match them.
  if ((p.scheme == "https" && p.port == "443") || (p.scheme == "http" && p.port == "80")) p.port.clear();
  return p;
}

}  // namespace

std::optional<ParsedOrigin> parseOrigin(std::string_view origin) {
  bool wildcard = false;
  return parseParts(origin, /*allow_wildcard=*/false, &wildcard);
}

std::optional<OriginPolicy> OriginPolicy::parse(const std::vector<std::string>& allowed, std::string* error) {
  OriginPolicy policy;
  for (const auto& origin : allowed) {
    bool wildcard = false;
    auto parts = parseParts(origin, /*allow_wildcard=*/true, &wildcard);
    if (!parts) {
      *error = "auth.allowed_origins: '" + origin +
               "' is not scheme://host[:port] (host: a DNS name, an IPv4 address or [IPv6]; \"*.\" may start it)";
      return std::nullopt;
    }
    if (!wildcard) {
      std::string canonical = parts->scheme + "://" + parts->host;
      if (!parts->port.empty()) canonical.append(":").append(parts->port);
      policy.canonical_.push_back(std::move(canonical));
    }
    policy.parsed_.push_back({std::move(*parts), wildcard});
    policy.entries_.push_back(origin);
  }
  return policy;
}

bool OriginPolicy::allows(std::string_view origin) const {
  // The canonical spelling parses back to the entry it came from.
  if (std::find(canonical_.begin(), canonical_.end(), origin) != canonical_.end()) return true;
  auto parts = parseOrigin(origin);
  if (!parts) return false;  // malformed, and "null" (sandboxed frames, file://)
  for (const auto& e : parsed_) {
    if (e.origin.scheme != parts->scheme || e.origin.port != parts->port) continue;
    if (!e.wildcard && e.origin.host == parts->host) return true;
    // Both hosts are valid names, so "." + base at the end means whole labels before it.
    const auto& base = e.origin.host;
    if (e.wildcard && parts->host.size() > base.size() + 1 && parts->host.ends_with(base) &&
        parts->host[parts->host.size() - base.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace sg::auth
