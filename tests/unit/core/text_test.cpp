// The shared text utilities: trimming, ASCII case-insensitive equality, JSON escaping.
#include "core/text.hpp"

#include <gtest/gtest.h>

namespace sg {
namespace {

TEST(Trim, RemovesBlanksAtBothEndsOnly) {
  EXPECT_EQ(trim("  a b \t"), "a b");
  EXPECT_EQ(trim("\r\n x\n"), "x");
  EXPECT_EQ(trim("\fx\v"), "\fx\v");  // not optional whitespace in HTTP
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim("\xC2\xA0x"), "\xC2\xA0x");  // a no-break space is not ASCII whitespace
}

TEST(Iequals, ComparesAsciiCaseInsensitively) {
  EXPECT_TRUE(iequals("Bearer", "bEARER"));
  EXPECT_TRUE(iequals("Sec-WebSocket-Protocol", "sec-websocket-protocol"));
  EXPECT_FALSE(iequals("Bearer", "Bearer "));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("\xC3\xA9", "\xC3\x89"));  // only ASCII letters fold
}

TEST(JsonEscape, EscapesQuotesBackslashesAndControls) {
  std::string out = "x";
  appendJsonEscaped(out, "a\"b\\c\nd\x01\t\r\x1f");
  EXPECT_EQ(out, "xa\\\"b\\\\c\\nd\\u0001\\t\\r\\u001f");
}

// Plain text is skipped 8 bytes at a time: every byte that needs an escape is found at
// any position, in any word, next to any other byte (one written per byte as reference).
TEST(JsonEscape, TheWordAtATimeScanMissesNothing) {
  auto reference = [](std::string_view s) {
    std::string out;
    for (char ch : s) {
      auto c = static_cast<unsigned char>(ch);
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else if (c == '\t') out += "\\t";
      else if (c == '\b') out += "\\b";
      else if (c == '\f') out += "\\f";
      else if (c < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += ch;
      }
    }
    return out;
  };
  const std::string specials = std::string("\"\\\n\x01\x1f\x00", 6) + "\x20\x21\x7f\x80\xff\x5b\x5d";
  for (std::size_t len = 0; len <= 40; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (char special : specials) {
        std::string s(len, 'a');
        s[at] = special;
        std::string out;
        appendJsonEscaped(out, s);
        ASSERT_EQ(out, reference(s)) << "len " << len << " at " << at << " byte " << int(special);
      }
    }
  }
}

TEST(JsonEscape, KeepsUtf8AndDelAsIs) {
  std::string out;
  appendJsonEscaped(out, "h\xC3\xA9llo\x7f");
  EXPECT_EQ(out, "h\xC3\xA9llo\x7f");
}

TEST(JsonEscape, TheSizeIsWhatTheEscaperWrites) {
  for (int c = 0; c < 256; ++c) {
    std::string s = "a" + std::string(1, static_cast<char>(c)) + "b";
    std::string out;
    appendJsonEscaped(out, s);
    ASSERT_EQ(jsonEscapedSize(s), out.size()) << "byte " << c;
    out.clear();
    appendJsonString(out, s);
    ASSERT_EQ(jsonStringSize(s), out.size()) << "byte " << c;
  }
  EXPECT_EQ(jsonEscapedSize(""), 0u);
  EXPECT_EQ(jsonStringSize(""), 2u);
}

}  // namespace
}  // namespace sg
