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

TEST(JsonEscape, KeepsUtf8AndDelAsIs) {
  std::string out;
  appendJsonEscaped(out, "h\xC3\xA9llo\x7f");
  EXPECT_EQ(out, "h\xC3\xA9llo\x7f");
}

}  // namespace
}  // namespace sg
