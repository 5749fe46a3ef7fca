#pragma once
// A cursor over JSON text for quick readers that take only its plainest shapes and leave
// everything else to a full parse (boost::json): strings of printable ASCII without
// escapes, JSON's whitespace, single punctuation bytes, literals. What a quick reader built
// on it accepts, the full parse must read the same; a false or empty return here means
// "not plain", never "not JSON". Used for the ticket body ({"user_id": "42"}) and the
// Phoenix V2 envelope, both read on every connection.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace sg {

class PlainJsonCursor {
 public:
  explicit PlainJsonCursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  // JSON's four whitespace bytes, exactly (RFC 8259 §2).
  void skipSpace() {
    while (p_ != end_ && isSpace(*p_)) ++p_;
  }
  // Steps past `c` when it is the next byte.
  bool take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  // Steps past `word` (a literal such as null) when it comes next.
  bool takeWord(std::string_view word) {
    if (rest().substr(0, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }
  // A string of printable ASCII other than '"' and '\\', which JSON reads byte for byte:
  // its contents (a view of the text), with the cursor past its closing quote. nullopt for
  // anything else; the cursor is then somewhere inside and the reading is over.
  std::optional<std::string_view> plainString() {
    if (!take('"')) return std::nullopt;
    const char* start = p_;
    while (p_ != end_ && kPlain[static_cast<unsigned char>(*p_)]) ++p_;
    if (p_ == end_ || *p_ != '"') return std::nullopt;
    std::string_view s(start, static_cast<std::size_t>(p_ - start));
    ++p_;  // the closing quote
    return s;
  }
  bool atEnd() const { return p_ == end_; }
  // What is left to read.
  std::string_view rest() const { return {p_, static_cast<std::size_t>(end_ - p_)}; }

  static bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

 private:
  // Printable ASCII but the quote and the backslash: what a plain string holds.
  static constexpr std::array<bool, 256> kPlain = [] {
    std::array<bool, 256> plain{};
    for (std::size_t c = 0x20; c < 0x7f; ++c) plain[c] = c != '"' && c != '\\';
    return plain;
  }();

  const char* p_;
  const char* end_;
};

}  // namespace sg
