#include "cluster/ticket_wire.hpp"

#include <openssl/sha.h>

#include <cstdint>

namespace sg::cluster {

namespace {

constexpr char kVersion = 1;
using Ms = std::chrono::milliseconds;

std::string hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 15]);
  }
  return out;
}

void putU32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void putI64(std::string& out, std::int64_t v) {
  auto u = static_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xff));
}
void putString(std::string& out, const std::string& s) {
  putU32(out, static_cast<std::uint32_t>(s.size()));
  out += s;
}
std::int64_t millis(tickets::TimePoint t) { return std::chrono::duration_cast<Ms>(t.time_since_epoch()).count(); }
tickets::TimePoint fromMillis(std::int64_t ms) {
  return tickets::TimePoint(std::chrono::duration_cast<tickets::TimePoint::duration>(Ms(ms)));
}

struct Reader {
  std::string_view in;
  bool ok = true;
  std::uint64_t take(std::size_t bytes) {
    if (in.size() < bytes) {
      ok = false;
      return 0;
    }
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<std::uint8_t>(in[i]);
    in.remove_prefix(bytes);
    return v;
  }
  std::string string() {
    auto n = static_cast<std::size_t>(take(4));
    if (!ok || in.size() < n) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
  std::int64_t i64() { return static_cast<std::int64_t>(take(8)); }
};

}  // namespace

std::string ticketKey(const tickets::TicketHash& key) { return "sg:ticket:" + hex(key.data(), key.size()); }

std::string markerKey(std::string_view token_id) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token_id.data()), token_id.size(), digest);
  return "sg:jti:" + hex(digest, sizeof digest);
}

std::string encodeClaims(const tickets::TicketClaims& c) {
  std::string out;
  out.push_back(kVersion);
  putString(out, c.user_id);
  putString(out, c.session_id);
  putString(out, c.client_ip);
  putString(out, c.origin);
  putI64(out, millis(c.issued_at));
  putI64(out, millis(c.expires_at));
  putI64(out, c.credential_expires_at ? millis(*c.credential_expires_at) : -1);
  return out;
}

std::optional<tickets::TicketClaims> decodeClaims(std::string_view value) {
  if (value.empty() || value[0] != kVersion) return std::nullopt;
  Reader r{value.substr(1)};
  tickets::TicketClaims c;
  c.user_id = r.string();
  c.session_id = r.string();
  c.client_ip = r.string();
  c.origin = r.string();
  c.issued_at = fromMillis(r.i64());
  c.expires_at = fromMillis(r.i64());
  auto credential = r.i64();
  if (!r.ok || !r.in.empty()) return std::nullopt;
  if (credential >= 0) c.credential_expires_at = fromMillis(credential);
  return c;
}

}  // namespace sg::cluster
