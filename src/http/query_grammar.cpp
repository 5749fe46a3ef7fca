#include "http/query_grammar.hpp"

#include <array>

namespace sg::http {
namespace {

enum : unsigned char { kOther = 0, kQueryChar = 1, kHexDigit = 2 };

constexpr std::array<unsigned char, 256> makeTable() {
  std::array<unsigned char, 256> t{};
  auto mark = [&t](unsigned char c, unsigned char bit) { t[c] = static_cast<unsigned char>(t[c] | bit); };
  for (unsigned char c = 'a'; c <= 'z'; ++c) mark(c, kQueryChar);
  for (unsigned char c = 'A'; c <= 'Z'; ++c) mark(c, kQueryChar);
  for (unsigned char c = '0'; c <= '9'; ++c) mark(c, kQueryChar | kHexDigit);
  for (unsigned char c = 'a'; c <= 'f'; ++c) mark(c, kHexDigit);
  for (unsigned char c = 'A'; c <= 'F'; ++c) mark(c, kHexDigit);
  // unreserved punctuation, sub-delims, ":" "@" (pchar), and "/" "?" (query)
  for (unsigned char c : std::string_view("-._~!$&'()*+,;=:@/?")) mark(c, kQueryChar);
  return t;
}

constexpr auto kTable = makeTable();

}  // namespace

bool isQueryText(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p != end) {
    if (kTable[*p] & kQueryChar) {
      ++p;
    } else if (*p == '%' && end - p >= 3 && (kTable[p[1]] & kHexDigit) && (kTable[p[2]] & kHexDigit)) {
      p += 3;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace sg::http
