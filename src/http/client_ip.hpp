#pragma once
// Who the client is, as DESIGN §3 defines it: the TCP peer, unless the peer is a trusted
// proxy, in which case the nearest untrusted address in the ONE header our proxies write
// (`auth.forwarded_header`) is the client. Every other forwarding header is ignored, and so
// is every header from an untrusted peer: anyone can send them. The same rule says whether
// the client used https: a request is secure when it came over TLS, or when a trusted
// proxy says so (X-Forwarded-Proto, or `proto=` in Forwarded).
#include "http/request.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::http {

// The header the trusted proxies write. A proxy that writes one passes the others through
// from the client, so believing a second one would let the client choose its address.
enum class ForwardedHeader {
  XForwardedFor,  // X-Forwarded-For (+ X-Forwarded-Proto)
  Forwarded,      // RFC 7239 Forwarded: for=...;proto=...
  XRealIp,        // X-Real-IP (+ X-Forwarded-Proto)
};

// "x-forwarded-for", "forwarded", "x-real-ip" (the config's spelling; any case).
std::optional<ForwardedHeader> parseForwardedHeader(std::string_view name);

class TrustedProxies {
 public:
  // Entries are addresses or CIDRs ("10.0.0.0/8", "::1", "127.0.0.1"). Returns nullopt and
  // sets *error naming the bad entry.
  static std::optional<TrustedProxies> parse(const std::vector<std::string>& entries, std::string* error,
                                             ForwardedHeader header = ForwardedHeader::XForwardedFor);
  bool contains(std::string_view ip) const;
  bool empty() const { return nets_.empty(); }
  ForwardedHeader header() const { return header_; }

 private:
  struct Net {
    std::array<std::uint8_t, 16> bytes{};  // IPv4 as v4-mapped IPv6
    int prefix = 128;
  };
  std::vector<Net> nets_;
  ForwardedHeader header_ = ForwardedHeader::XForwardedFor;
};

struct ClientInfo {
  std::string ip;
  bool secure = false;  // TLS to us, or https to the first trusted proxy
};

// The client of a request from `peer_ip` (over TLS when `tls`) with these headers.
ClientInfo resolveClient(std::string_view peer_ip, bool tls, const Headers& headers,
                         const TrustedProxies& proxies);

// Sets request.client_ip and request.secure from its peer_ip, tls and headers: what the
// code that builds a Request calls once.
void resolveClient(Request& request, const TrustedProxies& proxies);

// The client IP only (resolveClient(...).ip).
std::string resolveClientIp(std::string_view peer_ip, const Headers& headers, const TrustedProxies& proxies);

}  // namespace sg::http
