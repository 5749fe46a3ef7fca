#include "core/text.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace sg {
namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

char asciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Bytes each byte adds when appendJsonEscaped writes it: \" \\ \b \f \n \r \t take two
// bytes, other control characters six (\u00XX), every other byte stays as it is.
constexpr std::array<std::uint8_t, 256> kEscapeExtra = [] {
  std::array<std::uint8_t, 256> extra{};
  for (int c = 0; c < 0x20; ++c) extra[static_cast<std::size_t>(c)] = 5;
  for (unsigned char c : {'"', '\\', '\b', '\f', '\n', '\r', '\t'}) extra[c] = 1;
  return extra;
}();

// Whether any of the 8 bytes of `w` needs escaping in a JSON string: below 0x20, '"' or
// '\\'. Each test is exact ("has a zero byte" on w ^ c, "has a byte below 0x20"), so a
// word without one is copied as it is and the byte loop runs only where one is.
bool wordNeedsEscape(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  auto hasZero = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  bool control = ((w - kOnes * 0x20) & ~w & kHigh) != 0;
  return control || hasZero(w ^ (kOnes * '"')) || hasZero(w ^ (kOnes * '\\'));
}

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && isBlank(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  // Bytes that match as they are (most do: names are usually asked in the case sent)
  // skip the case folding.
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return x == y || asciiLower(x) == asciiLower(y); });
}

void appendJsonEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t plain = 0;  // start of the run of bytes copied as they are
  std::size_t i = 0;
  // Most text needs no escape at all: skip it a word at a time.
  while (i + 8 <= s.size()) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, sizeof w);
    if (wordNeedsEscape(w)) break;
    i += 8;
  }
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.substr(plain, i - plain));
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.substr(plain));
}

std::size_t jsonEscapedSize(std::string_view s) {
  std::size_t n = s.size();
  for (char c : s) n += kEscapeExtra[static_cast<unsigned char>(c)];
  return n;
}

void appendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  appendJsonEscaped(out, s);
  out.push_back('"');
}

}  // namespace sg
