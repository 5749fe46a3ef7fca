// sameFieldName decides as sg::iequals does, on every pair of bytes and on names.
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
      ASSERT_EQ(sameFieldName("Sec-" + x + "-Key", "sec-" + y + "-key"), iequals("Sec-" + x + "-Key", "sec-" + y + "-key"));
    }
  }
}

TEST(SameFieldName, Names) {
  EXPECT_TRUE(sameFieldName("Sec-WebSocket-Key", "sec-websocket-key"));
  EXPECT_TRUE(sameFieldName("Sec-Websocket-Key", "Sec-WebSocket-Key"));
  EXPECT_TRUE(sameFieldName("", ""));
  EXPECT_FALSE(sameFieldName("Origin", "Origins"));
  EXPECT_FALSE(sameFieldName("Upgrade", "Upgrad\xC5"));
  EXPECT_FALSE(sameFieldName("a@", "a`"));  // 0x40 and 0x60 differ in 0x20 alone, but are not letters
  EXPECT_FALSE(sameFieldName("a[", "a{"));
}

}  // namespace
}  // namespace sg::http
