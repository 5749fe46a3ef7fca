// resolveClient through each forwarding header (X-Forwarded-For, Forwarded, X-Real-IP),
// and TrustedProxies::parse.
//
// Input lines: line 0 the TCP peer address, line 1 the trusted_proxies entries
// (comma-separated, as in config), further lines "Name: value" headers.
#include "fuzz_support.hpp"

#include "http/client_ip.hpp"

#include <arpa/inet.h>

#include <string>

namespace {

using namespace sg;

bool isIp(const std::string& s) {
  unsigned char buf[16];
  return s.find('\0') == std::string::npos &&
         (inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto lines = fuzz::split(fuzz::view(data, size));
  if (lines.size() < 2) return 0;
  std::string peer(lines[0]);
  std::vector<std::string> entries;
  for (auto e : fuzz::split(lines[1], ',')) entries.emplace_back(e);
  std::string error;
  auto proxies = http::TrustedProxies::parse(entries, &error);
  if (!proxies) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  // Every entry that parsed is a network that contains its own address.
  for (const auto& e : entries) FUZZ_CHECK(proxies->contains(e.substr(0, e.find('/'))));

  http::Headers headers;
  bool beast_ok = true;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    auto colon = lines[i].find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = lines[i].substr(colon + 1);
    while (value.starts_with(' ')) value.remove_prefix(1);
    beast_ok = beast_ok && fuzz::headerValueBeastAccepts(value);
    headers.push_back({std::string(lines[i].substr(0, colon)), std::string(value)});
  }

  for (auto which : {http::ForwardedHeader::XForwardedFor, http::ForwardedHeader::Forwarded,
                     http::ForwardedHeader::XRealIp}) {
    auto with_header = http::TrustedProxies::parse(entries, &error, which);
    FUZZ_CHECK(with_header.has_value());
    auto client = http::resolveClient(peer, /*tls=*/false, headers, *with_header);
    FUZZ_CHECK(client.ip == http::resolveClientIp(peer, headers, *with_header));
    FUZZ_CHECK(http::resolveClient(peer, /*tls=*/true, headers, *with_header).secure);
    // Headers count only when the peer is one of our proxies.
    if (!with_header->contains(peer)) FUZZ_CHECK(client.ip == peer && !client.secure);
    // Otherwise the client is the peer or an address taken from the headers, never garbage
    // (the server keys rate limits and ticket bindings on it).
    if (client.ip != peer && beast_ok) FUZZ_CHECK(isIp(client.ip));
  }
  return 0;
}
