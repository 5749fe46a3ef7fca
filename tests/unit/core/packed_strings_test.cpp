// core/packed_strings: a connection's few long-lived strings in one allocation.
#include "core/packed_strings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace sg {
namespace {

TEST(PackedStrings, GivesBackEachPartAsBuilt) {
  std::string origin = "https://app.example.com";
  PackedStrings<3> packed({"203.0.113.7", origin, "wss://chat.example.com:8443"});
  origin.assign(origin.size(), 'x');  // the parts are copies, not views of the arguments
  EXPECT_EQ(packed[0], "203.0.113.7");
  EXPECT_EQ(packed[1], "https://app.example.com");
  EXPECT_EQ(packed[2], "wss://chat.example.com:8443");
}

TEST(PackedStrings, EmptyPartsAnywhere) {
  PackedStrings<3> middle({"10.0.0.1", "", "ws://localhost"});
  EXPECT_EQ(middle[0], "10.0.0.1");
  EXPECT_EQ(middle[1], "");
  EXPECT_EQ(middle[2], "ws://localhost");

  PackedStrings<3> ends({"", "http://localhost", ""});
  EXPECT_EQ(ends[0], "");
  EXPECT_EQ(ends[1], "http://localhost");
  EXPECT_EQ(ends[2], "");

  PackedStrings<2> none({"", ""});
  EXPECT_TRUE(none[0].empty());
  EXPECT_TRUE(none[1].empty());
  PackedStrings<2> unset;
  EXPECT_TRUE(unset[0].empty());
  EXPECT_TRUE(unset[1].empty());
}

TEST(PackedStrings, MovesKeepTheParts) {
  PackedStrings<2> a({"::1", "http://[::1]:3000"});
  PackedStrings<2> b(std::move(a));
  EXPECT_EQ(b[0], "::1");
  EXPECT_EQ(b[1], "http://[::1]:3000");
  EXPECT_TRUE(a[0].empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_TRUE(a[1].empty());
  PackedStrings<2> c;
  c = std::move(b);
  EXPECT_EQ(c[0], "::1");
  EXPECT_EQ(c[1], "http://[::1]:3000");
}

TEST(PackedStrings, IsSmallerThanTheStringsItReplaces) {
  // What pays for it: three std::string members would take 96 bytes in every socket.
  EXPECT_LE(sizeof(PackedStrings<3>), 24u);
}

}  // namespace
}  // namespace sg
