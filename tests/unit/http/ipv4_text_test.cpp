// ipv4Text against the C library's inet_ntop: the same text for every address tried.
#include "http/ipv4_text.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>

namespace sg::http {
namespace {

std::string libraryText(const std::array<unsigned char, 4>& octets) {
  in_addr a{};
  std::memcpy(&a, octets.data(), 4);
  char text[INET_ADDRSTRLEN];
  EXPECT_NE(inet_ntop(AF_INET, &a, text, sizeof text), nullptr);
  return text;
}

TEST(Ipv4Text, EdgeCases) {
  EXPECT_EQ(ipv4Text({0, 0, 0, 0}), "0.0.0.0");
  EXPECT_EQ(ipv4Text({255, 255, 255, 255}), "255.255.255.255");
  EXPECT_EQ(ipv4Text({127, 0, 0, 1}), "127.0.0.1");
  EXPECT_EQ(ipv4Text({10, 9, 100, 99}), "10.9.100.99");
  EXPECT_EQ(ipv4Text({192, 0, 2, 200}), "192.0.2.200");
}

TEST(Ipv4Text, EveryOctetValueInEveryPositionMatchesInetNtop) {
  for (unsigned position = 0; position < 4; ++position) {
    for (unsigned v = 0; v < 256; ++v) {
      for (unsigned char fill : std::array<unsigned char, 8>{0, 1, 9, 10, 99, 100, 199, 255}) {
        std::array<unsigned char, 4> octets{fill, fill, fill, fill};
        octets[position] = static_cast<unsigned char>(v);
        ASSERT_EQ(ipv4Text(octets), libraryText(octets));
      }
    }
  }
}

TEST(Ipv4Text, RandomAddressesMatchInetNtop) {
  std::mt19937 rng(20261201);
  for (int i = 0; i < 1'000'000; ++i) {
    auto bits = rng();
    std::array<unsigned char, 4> octets{static_cast<unsigned char>(bits), static_cast<unsigned char>(bits >> 8),
                                        static_cast<unsigned char>(bits >> 16), static_cast<unsigned char>(bits >> 24)};
    ASSERT_EQ(ipv4Text(octets), libraryText(octets));
  }
}

}  // namespace
}  // namespace sg::http
