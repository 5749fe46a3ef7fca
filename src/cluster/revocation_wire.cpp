#include "cluster/revocation_wire.hpp"

#include <cstdint>

namespace sg::cluster {

std::string encodeRevocation(const RevocationAnnouncement& a) {
  std::string out;
  out.push_back(a.session_ref.empty() ? 'u' : 's');
  auto n = static_cast<std::uint32_t>(a.user_id.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out += a.user_id;
  out += a.session_ref;
  return out;
}

std::optional<RevocationAnnouncement> decodeRevocation(std::string_view m) {
  if (m.size() < 5 || (m[0] != 's' && m[0] != 'u')) return std::nullopt;
  std::uint32_t n = 0;
  for (std::size_t i = 1; i < 5; ++i) n = (n << 8) | static_cast<std::uint8_t>(m[i]);
  if (n > m.size() - 5) return std::nullopt;
  RevocationAnnouncement a{std::string(m.substr(5, n)), std::string(m.substr(5 + n))};
  if (a.user_id.empty() || (m[0] == 's') == a.session_ref.empty()) return std::nullopt;
  return a;
}

}  // namespace sg::cluster
