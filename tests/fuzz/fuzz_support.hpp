#pragma once
// What the fuzz targets share: an invariant check that holds under NDEBUG too (a broken
// invariant must abort so libFuzzer saves the input), and helpers that cut one input into
// the fields a target needs.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(cond) ((cond) ? static_cast<void>(0) : ::sg::fuzz::broken(#cond, __FILE__, __LINE__))

namespace sg::fuzz {

[[noreturn]] inline void broken(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", file, line, what);
  std::abort();
}

inline std::string_view view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits on `sep`; a trailing separator does not make an extra empty piece, so seed files
// may end with a newline.
inline std::vector<std::string_view> split(std::string_view s, char sep = '\n') {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

// Beast refuses a header value with a control character other than tab, so the server
// never sees one: invariants about what reaches the server are checked only without them.
inline bool headerValueBeastAccepts(std::string_view v) {
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

// A request target as Beast accepts it: visible ASCII or obs-text, no spaces.
inline bool targetBeastAccepts(std::string_view v) {
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return !v.empty();
}

inline bool isAlnum(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return !s.empty();
}

// Occurrences of `needle` in `hay`, overlapping ones included.
inline std::size_t occurrences(std::string_view hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string_view::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

// Reads a Phoenix V2 binary frame's layout: one byte of kind, `count` one-byte lengths,
// then the fields they measure; `payload` is what follows. False when the lengths run
// past the frame (the official client would misread it).
inline bool readBinaryLayout(std::string_view frame, std::size_t count, std::vector<std::string_view>& fields,
                             std::string_view& payload) {
  if (frame.size() < 1 + count) return false;
  std::size_t offset = 1 + count;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t n = static_cast<unsigned char>(frame[1 + i]);
    if (frame.size() - offset < n) return false;
    fields.push_back(frame.substr(offset, n));
    offset += n;
  }
  payload = frame.substr(offset);
  return true;
}

}  // namespace sg::fuzz
