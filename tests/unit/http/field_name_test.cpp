// sameFieldName decides as sg::iequals does, on every pair of bytes and on
// names.
#include "http/field_name.hpp"

#include "core/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sg::http {
namespace {

TEST(SameFieldName, EveryPairOfBytesAsIequals) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      std::string x(1, static_cast<char>(a));
      std::string y(1, static_cast<char>(b));
      ASSERT_EQ(sameFieldName(x, y), iequals(x, y)) << a << " " << b;
      ASSERT_EQ(sameFieldName("Sec-" + x + "-Key", "sec-" + y + "-key"),
                iequals("Sec-" + x + "-Key", "sec-" + y + "-key"));
    }
  }
}

// Every pair of bytes at every position of names of every length up to 17.
TEST(SameFieldName, EveryPairOfBytesAtEveryPositionAsIequals) {
  // Every length from 1 to 17: bytes alone, two half words, words and an
  // overlapping last word.
  for (std::size_t length = 1; length <= 17; ++length) {
    const std::string base_x =
        std::string("Sec-WebSocket-Ver").substr(0, length);
    const std::string base_y =
        std::string("sec-websocket-ver").substr(0, length);
    for (std::size_t at = 0; at < base_x.size(); ++at) {
      for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
          std::string x = base_x;
          std::string y = base_y;
          x[at] = static_cast<char>(a);
          y[at] = static_cast<char>(b);
          ASSERT_EQ(sameFieldName(x, y), iequals(x, y))
              << at << " " << a << " " << b;
          ASSERT_EQ(sameFieldName(x, x), true);
        }
      }
    }
  }
}

// Every byte pair in all eight places of one word at once (several differing
// bytes).
TEST(SameFieldName, WordsOfOneRepeatedPair) {
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      std::string x(8, static_cast<char>(a));
      std::string y(8, static_cast<char>(b));
      ASSERT_EQ(sameFieldName(x, y), iequals(x, y)) << a << " " << b;
      x[3] = 'Q';
      y[3] = 'q';
      ASSERT_EQ(sameFieldName(x, y), iequals(x, y)) << a << " " << b;
    }
  }
}

TEST(SameFieldName, Names) {
  EXPECT_TRUE(sameFieldName("Sec-WebSocket-Key", "sec-websocket-key"));
  EXPECT_TRUE(sameFieldName("Sec-Websocket-Key", "Sec-WebSocket-Key"));
  EXPECT_TRUE(sameFieldName("", ""));
  EXPECT_FALSE(sameFieldName("Origin", "Origins"));
  EXPECT_FALSE(sameFieldName("Upgrade", "Upgrad\xC5"));
  EXPECT_FALSE(sameFieldName(
      "a@", "a`")); // 0x40 and 0x60 differ in 0x20 alone, but are not letters
  EXPECT_FALSE(sameFieldName("a[", "a{"));
}

} // namespace
} // namespace sg::http
