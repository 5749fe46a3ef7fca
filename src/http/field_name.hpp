#pragma once
// Whether two header field names (or list tokens) are equal ignoring ASCII case (RFC 9110
// §5.1), as sg::iequals decides, inline: the header look-ups of every request call it for
// most of its fields, and sg::iequals is a call and a generic loop per byte. Bytes that
// match as they are (names are mostly asked in the case sent) skip the folding.
#include <cstddef>
#include <string_view>

namespace sg::http {

inline bool sameFieldName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    // Differing bytes match only as the two cases of one letter: they differ in 0x20 alone.
    auto folded = static_cast<unsigned char>(x | 0x20);
    if (folded != (y | 0x20) || folded < 'a' || folded > 'z') return false;
  }
  return true;
}

}  // namespace sg::http
