// core/plain_json_cursor: what the quick readers take must read the same in boost::json.
#include "core/plain_json_cursor.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <string>

namespace sg {
namespace {

TEST(PlainJsonCursor, APlainStringIsWhatJsonReadsByteForByte) {
  for (int b = 0; b < 256; ++b) {
    if (b == '"') continue;  // it closes the string: below
    std::string text = std::string("\"a") + static_cast<char>(b) + "z\"";
    PlainJsonCursor in(text);
    auto s = in.plainString();
    bool printable = b >= 0x20 && b < 0x7f && b != '"' && b != '\\';
    EXPECT_EQ(s.has_value(), printable) << "byte " << b;
    if (!s) continue;
    EXPECT_TRUE(in.atEnd());
    boost::system::error_code ec;
    auto parsed = boost::json::parse(text, ec);
    ASSERT_FALSE(ec) << "byte " << b;
    EXPECT_EQ(*s, std::string_view(parsed.as_string())) << "byte " << b;
  }
}

TEST(PlainJsonCursor, AStringEndsAtItsFirstQuote) {
  PlainJsonCursor in(R"("a"z")");
  EXPECT_EQ(in.plainString(), "a");
  EXPECT_EQ(in.rest(), R"(z")");
}

TEST(PlainJsonCursor, AStringWithoutItsClosingQuoteOrWithAnEscapeIsNotPlain) {
  for (std::string_view text : {R"("abc)", R"(abc")", R"("a\"b")", R"("a\u0041")", R"("")"}) {
    PlainJsonCursor in(text);
    auto s = in.plainString();
    if (text == R"("")") {
      ASSERT_TRUE(s.has_value());  // the empty string is plain
      EXPECT_TRUE(s->empty());
    } else {
      EXPECT_FALSE(s.has_value()) << text;
    }
  }
}

TEST(PlainJsonCursor, SkipsJsonWhitespaceOnly) {
  PlainJsonCursor in(" \t\r\n{");
  in.skipSpace();
  EXPECT_EQ(in.rest(), "{");
  // Vertical tab and form feed are not JSON whitespace (boost::json refuses them too).
  for (std::string_view text : {"\v{", "\f{"}) {
    PlainJsonCursor other(text);
    other.skipSpace();
    EXPECT_EQ(other.rest(), text);
    boost::system::error_code ec;
    (void)boost::json::parse(std::string(text) + "}", ec);
    EXPECT_TRUE(ec);
  }
}

TEST(PlainJsonCursor, TakesPunctuationAndWordsOnlyWhenTheyComeNext) {
  PlainJsonCursor in("null,nul");
  EXPECT_FALSE(in.take(','));
  EXPECT_TRUE(in.takeWord("null"));
  EXPECT_FALSE(in.takeWord("null"));
  EXPECT_TRUE(in.take(','));
  EXPECT_FALSE(in.takeWord("null"));  // "nul" is shorter than the word
  EXPECT_EQ(in.rest(), "nul");
  EXPECT_FALSE(in.atEnd());
}

}  // namespace
}  // namespace sg
