#pragma once
// Whether two header field names (or list tokens) are equal ignoring ASCII case
// (RFC 9110 §5.1), as sg::iequals decides, inline and eight bytes at a time:
// the header look-ups of every request call it for most of its fields, and
// sg::iequals is a call and a generic loop per byte. Bytes may differ only as
// the two cases of one letter.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sg::http {

namespace detail {

// Whether the bytes where x and y differ (d = x ^ y) differ as letter cases
// alone: only in 0x20, and in a byte that is an ASCII letter once folded to
// lower case.
inline bool sameWordIgnoringCase(std::uint64_t x, std::uint64_t y) {
  constexpr std::uint64_t kCase = 0x2020202020202020ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  std::uint64_t d = x ^ y;
  if (d == 0) return true;
  if (d & ~kCase) return false;
  std::uint64_t f = x | kCase;  // each byte folded to lower case (if a letter)
  // Per byte, the high bit says: at least 'a' / at most 'z' / below 0x80. Each
  // subtraction stays within its byte (no borrow), given the high bits set or
  // cleared first.
  std::uint64_t at_least_a = (f | kHigh) - 0x6161616161616161ULL;
  std::uint64_t at_most_z = (0x7a7a7a7a7a7a7a7aULL | kHigh) - (f & ~kHigh);
  std::uint64_t letter = at_least_a & at_most_z & ~f & kHigh;
  return ((d << 2) & ~letter) == 0;  // 0x20 << 2 is the byte's high bit
}

}  // namespace detail

inline bool sameFieldName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const std::size_t n = a.size();
  if (n >= 8) {
    // Whole words, then the last eight bytes (overlapping what was compared: no
    // byte loop).
    std::uint64_t x;
    std::uint64_t y;
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (!detail::sameWordIgnoringCase(x, y)) return false;
    }
    std::memcpy(&x, a.data() + n - 8, 8);
    std::memcpy(&y, b.data() + n - 8, 8);
    return detail::sameWordIgnoringCase(x, y);
  }
  if (n >= 4) {
    // The first four and the last four bytes, in one word (the upper half zero
    // in both).
    std::uint32_t x0, x1, y0, y1;
    std::memcpy(&x0, a.data(), 4);
    std::memcpy(&x1, a.data() + n - 4, 4);
    std::memcpy(&y0, b.data(), 4);
    std::memcpy(&y1, b.data() + n - 4, 4);
    return detail::sameWordIgnoringCase(std::uint64_t{x0} << 32 | x1, std::uint64_t{y0} << 32 | y1);
  }
  for (std::size_t i = 0; i < n; ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x == y) continue;
    auto folded = static_cast<unsigned char>(x | 0x20);
    if (folded != (y | 0x20) || folded < 'a' || folded > 'z') return false;
  }
  return true;
}

}  // namespace sg::http
