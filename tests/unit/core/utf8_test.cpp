// UTF-8 validation: what WebSocket text messages and close reasons must be.
#include "core/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sg {
namespace {

TEST(Utf8, AcceptsAsciiAndWellFormedSequences) {
  EXPECT_TRUE(isValidUtf8(""));
  EXPECT_TRUE(isValidUtf8("[null,null,\"room:lobby\",\"phx_join\",{}]"));
  EXPECT_TRUE(isValidUtf8("caf\xC3\xA9"));                 // U+00E9
  EXPECT_TRUE(isValidUtf8("\xE2\x82\xAC"));                // U+20AC
  EXPECT_TRUE(isValidUtf8("\xF0\x9F\x98\x80 smile"));      // U+1F600
  EXPECT_TRUE(isValidUtf8("\xF4\x8F\xBF\xBF"));            // U+10FFFF, the last code point
  EXPECT_TRUE(isValidUtf8("\xED\x9F\xBF"));                // U+D7FF, just below the surrogates
  EXPECT_TRUE(isValidUtf8(std::string(1000, 'a') + "\xC3\xA9" + std::string(9, 'b')));
}

TEST(Utf8, RefusesMalformedSequences) {
  EXPECT_FALSE(isValidUtf8("\x80"));                  // continuation byte first
  EXPECT_FALSE(isValidUtf8("\xC0\xAF"));              // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xC1\xBF"));              // overlong
  EXPECT_FALSE(isValidUtf8("\xE0\x80\xAF"));          // overlong 3-byte
  EXPECT_FALSE(isValidUtf8("\xF0\x80\x80\xAF"));      // overlong 4-byte
  EXPECT_FALSE(isValidUtf8("\xED\xA0\x80"));          // U+D800, a surrogate
  EXPECT_FALSE(isValidUtf8("\xF4\x90\x80\x80"));      // above U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(isValidUtf8("\xFF"));
  EXPECT_FALSE(isValidUtf8("\xC3"));                  // truncated at the end
  EXPECT_FALSE(isValidUtf8("abcdefgh\xE2\x82"));      // truncated after the ASCII fast path
  EXPECT_FALSE(isValidUtf8("\xC3\x28"));              // bad continuation
  EXPECT_FALSE(isValidUtf8("\xE2\x28\xA1"));
  EXPECT_FALSE(isValidUtf8("\xF0\x9F\x98\x28"));      // bad last continuation
}

}  // namespace
}  // namespace sg
