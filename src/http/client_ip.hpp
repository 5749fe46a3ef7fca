#pragma once
// The client's IP as DESIGN §3 defines it: the TCP peer, unless the peer is a trusted
// proxy, in which case the nearest untrusted address in X-Forwarded-For (or Forwarded:
// for=) is the client. Headers from untrusted peers are ignored: anyone can send them.
#include "http/request.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::http {

class TrustedProxies {
 public:
  // Entries are addresses or CIDRs ("10.0.0.0/8", "::1", "127.0.0.1"). Returns nullopt and
  // sets *error naming the bad entry.
  static std::optional<TrustedProxies> parse(const std::vector<std::string>& entries, std::string* error);
  bool contains(std::string_view ip) const;
  bool empty() const { return nets_.empty(); }

 private:
  struct Net {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as v4-mapped IPv6
    int prefix = 128;
  };
  std::vector<Net> nets_;
};

// The client IP for a request from `peer_ip` with these headers.
std::string resolveClientIp(std::string_view peer_ip, const std::vector<Header>& headers, const TrustedProxies& proxies);

}  // namespace sg::http
