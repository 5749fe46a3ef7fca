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

// Calls take(item) for each comma-separated item of `value`.
template <typename Take>
void splitList(std::string_view value, Take&& take) {
  while (!value.empty()) {
    auto comma = value.find(',');
    take(value.substr(0, comma));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// One proxy hop as the header describes it.
struct Hop {
  std::string address;  // bare; may be garbage ("unknown", "_hidden")
  std::string proto;    // Forwarded's proto=, lower case; empty when absent
};

// The hops the proxies added, nearest last, from the one configured header only.
std::vector<Hop> forwardedChain(const Headers& headers, ForwardedHeader which) {
  std::vector<Hop> chain;
  if (which == ForwardedHeader::Forwarded) {
    for (const auto& h : headers) {
      if (!iequals(h.name, "Forwarded")) continue;
      splitList(h.value, [&](std::string_view element) {
        // element: for=1.2.3.4;proto=https;by=...
        // An element without for= still counts as a hop (with an empty address, which
        // ends the walk): skipping it would let the hop to its left pass for a nearer one.
        Hop hop;
        while (!element.empty()) {
          auto semi = element.find(';');
          auto pair = trim(element.substr(0, semi));
          auto eq = pair.find('=');
          if (eq != std::string_view::npos) {
            auto name = trim(pair.substr(0, eq));
            auto value = trim(pair.substr(eq + 1));
            if (iequals(name, "for")) {
              hop.address = std::string(bareAddress(value));
            } else if (iequals(name, "proto")) {
              if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
              hop.proto = std::string(value);
              std::transform(hop.proto.begin(), hop.proto.end(), hop.proto.begin(),
                             [](unsigned char c) { return std::tolower(c); });
            }
          }
          if (semi == std::string_view::npos) break;
          element.remove_prefix(semi + 1);
        }
        chain.push_back(std::move(hop));
      });
    }
    return chain;
  }
  std::string_view name = which == ForwardedHeader::XRealIp ? "X-Real-IP" : "X-Forwarded-For";
  for (const auto& h : headers) {
    if (!iequals(h.name, name)) continue;
    splitList(h.value, [&](std::string_view item) { chain.push_back({std::string(bareAddress(item)), {}}); });
  }
  return chain;
}

// X-Forwarded-Proto's nearest (rightmost) value: the one our proxy wrote or appended.
std::string forwardedProto(const Headers& headers) {
  std::string proto;
  for (const auto& h : headers) {
    if (!iequals(h.name, "X-Forwarded-Proto")) continue;
    splitList(h.value, [&](std::string_view item) { proto = std::string(trim(item)); });
  }
  std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) { return std::tolower(c); });
  return proto;
}

}  // namespace

std::optional<ForwardedHeader> parseForwardedHeader(std::string_view name) {
  if (iequals(name, "x-forwarded-for")) return ForwardedHeader::XForwardedFor;
  if (iequals(name, "forwarded")) return ForwardedHeader::Forwarded;
  if (iequals(name, "x-real-ip")) return ForwardedHeader::XRealIp;
  return std::nullopt;
}

std::optional<TrustedProxies> TrustedProxies::parse(const std::vector<std::string>& entries, std::string* error,
                                                    ForwardedHeader header) {
  TrustedProxies out;
  out.header_ = header;
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
    // 0 to 128: the list's parser refuses any other prefix length.
    const auto bits = static_cast<std::size_t>(net.prefix);
    const std::size_t full = bits / 8, rest = bits % 8;
    if (std::memcmp(ip->data(), net.bytes.data(), full) != 0) continue;
    if (rest) {
      std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
      if ((ip->at(full) & mask) != (net.bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

ClientInfo resolveClient(std::string_view peer_ip, bool tls, const Headers& headers,
                         const TrustedProxies& proxies) {
  if (proxies.empty() || !proxies.contains(peer_ip)) return {std::string(peer_ip), tls};
  auto chain = forwardedChain(headers, proxies.header());
  // Walk from the nearest hop outwards; the first address that is not one of our
  // proxies is the client. Anything further left was written by the client itself.
  const Hop* client = nullptr;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (!parseIp(it->address)) break;  // garbage: stop trusting the chain here
    if (!proxies.contains(it->address)) {
      client = &*it;
      break;
    }
  }
  // Only proxies in the chain: the farthest of them is where the request came from.
  if (!client && !chain.empty() && parseIp(chain.front().address) && proxies.contains(chain.front().address)) {
    client = &chain.front();
  }
  ClientInfo out{client ? client->address : std::string(peer_ip), tls};
  if (proxies.header() == ForwardedHeader::Forwarded) {
    // The element that named the client was written by the proxy the client reached, so
    // its proto is the client's; with no such element, the nearest one (our proxy's).
    const Hop* said = client ? client : (chain.empty() ? nullptr : &chain.back());
    if (said && said->proto == "https") out.secure = true;
  } else if (forwardedProto(headers) == "https") {
    out.secure = true;
  }
  return out;
}

void resolveClient(Request& request, const TrustedProxies& proxies) {
  auto info = resolveClient(request.peer_ip, request.tls, request.headers, proxies);
  request.client_ip = std::move(info.ip);
  request.secure = info.secure;
}

std::string resolveClientIp(std::string_view peer_ip, const Headers& headers,
                            const TrustedProxies& proxies) {
  return resolveClient(peer_ip, false, headers, proxies).ip;
}

}  // namespace sg::http
