#include "http/client_ip.hpp"

#include "core/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace sg::http {
namespace {

std::optional<std::array<std::uint8_t, 16>> parseIp(std::string_view text) {
  std::string s(text);
  std::array<std::uint8_t, 16> out{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

// "1.2.3.4", "1.2.3.4:5678", "[::1]:80", "\"[::1]\"" -> the bare address.
std::string_view bareAddress(std::string_view s) {
  s = trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  if (!s.empty() && s.front() == '[') {
    auto close = s.find(']');
    return close == std::string_view::npos ? std::string_view{} : s.substr(1, close - 1);
  }
  if (std::count(s.begin(), s.end(), ':') == 1) s = s.substr(0, s.find(':'));
  return s;
}

// The addresses the proxies added, nearest hop last.
std::vector<std::string> forwardedChain(const std::vector<Header>& headers) {
  std::vector<std::string> chain;
  auto split = [&](std::string_view value, auto&& take) {
    while (!value.empty()) {
      auto comma = value.find(',');
      take(value.substr(0, comma));
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  };
  for (const auto& h : headers) {
    if (!iequals(h.name, "X-Forwarded-For")) continue;
    split(h.value, [&](std::string_view item) { chain.emplace_back(bareAddress(item)); });
  }
  if (!chain.empty()) return chain;
  for (const auto& h : headers) {
    if (!iequals(h.name, "Forwarded")) continue;
    split(h.value, [&](std::string_view element) {
      // element: for=1.2.3.4;proto=https;by=...
      while (!element.empty()) {
        auto semi = element.find(';');
        auto pair = trim(element.substr(0, semi));
        if (pair.size() > 4 && iequals(pair.substr(0, 4), "for=")) chain.emplace_back(bareAddress(pair.substr(4)));
        if (semi == std::string_view::npos) break;
        element.remove_prefix(semi + 1);
      }
    });
  }
  return chain;
}

}  // namespace

std::optional<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries, std::string* error) {
  TrustedProxies out;
  for (const auto& entry : entries) {
    std::string_view text = entry;
    Net net;
    auto slash = text.find('/');
    auto ip = parseIp(text.substr(0, slash));
    if (!ip) {
      *error = "auth.trusted_proxies: '" + entry + "' is not an address or CIDR";
      return std::nullopt;
    }
    net.bytes = *ip;
    bool v4 = text.find(':') == std::string_view::npos;
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash != std::string_view::npos) {
      try {
        prefix = std::stoi(std::string(text.substr(slash + 1)));
      } catch (...) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        *error = "auth.trusted_proxies: bad prefix length in '" + entry + "'";
        return std::nullopt;
      }
    }
    net.prefix = v4 ? prefix + 96 : prefix;
    out.nets_.push_back(net);
  }
  return out;
}

bool TrustedProxies::contains(std::string_view ip_text) const {
  auto ip = parseIp(ip_text);
  if (!ip) return false;
  for (const auto& net : nets_) {
    int full = net.prefix / 8, rest = net.prefix % 8;
    if (std::memcmp(ip->data(), net.bytes.data(), full) != 0) continue;
    if (rest) {
      std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
      if ((ip->at(full) & mask) != (net.bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

std::string resolveClientIp(std::string_view peer_ip, const std::vector<Header>& headers,
                            const TrustedProxies& proxies) {
  if (proxies.empty() || !proxies.contains(peer_ip)) return std::string(peer_ip);
  auto chain = forwardedChain(headers);
  // Walk from the nearest hop outwards; the first address that is not one of our
  // proxies is the client. Anything further left was written by the client itself.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!parseIp(*it)) break;  // garbage: stop trusting the chain here
    if (!proxies.contains(*it)) return *it;
  }
  if (!chain.empty() && parseIp(chain.front()) && proxies.contains(chain.front())) return chain.front();
  return std::string(peer_ip);
}

}  // namespace sg::http
