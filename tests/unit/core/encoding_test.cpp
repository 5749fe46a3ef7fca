// core/encoding: SHA-256 against FIPS 180-2's examples, random tokens across the random
// pool's block boundaries, base64url strictness.
#include "core/encoding.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <set>
#include <string>

namespace sg {
namespace {

TEST(Sha256Test, MatchesTheStandardsExamples) {
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  auto digest = sha256("abc");
  EXPECT_EQ(digest[0], 0xba);
  EXPECT_EQ(digest[31], 0xad);
}

TEST(RandomTokenTest, TokensAreBase64urlOfTheirLengthAndNeverRepeat) {
  std::set<std::string> seen;
  // 100 tokens of 32 bytes span several of the pool's blocks, and sizes that do not divide
  // a block land across its end.
  for (int i = 0; i < 100; ++i) {
    auto token = randomToken();
    EXPECT_EQ(token.size(), 43u);
    ASSERT_TRUE(base64urlDecode(token).has_value()) << token;
    EXPECT_EQ(base64urlDecode(token)->size(), 32u);
    EXPECT_TRUE(seen.insert(token).second) << "repeated: " << token;
  }
  for (std::size_t bytes : {1u, 6u, 16u, 37u, 600u, 1500u}) {
    auto token = randomToken(bytes);
    auto decoded = base64urlDecode(token);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->size(), bytes);
    EXPECT_TRUE(seen.insert(token).second);
  }
}

TEST(RandomTokenTest, BytesLookUniform) {
  // 4 096 bytes: every byte value appears, and no value more than a few times its share
  // (a stuck or zeroed block would fail both).
  auto raw = base64urlDecode(randomToken(4096));
  ASSERT_TRUE(raw.has_value());
  std::array<int, 256> counts{};
  for (unsigned char c : *raw) ++counts[c];
  int zeros = 0, most = 0;
  for (int c : counts) {
    zeros += c == 0;
    most = std::max(most, c);
  }
  EXPECT_LE(zeros, 3);  // expected about 256 * e^-16: none
  EXPECT_LE(most, 50);  // expected 16 each
}

// The branch-free encoder writes what libsodium's does: every 6-bit value (each byte value
// in each position of a group), every tail length, and round trips through the decoder.
TEST(Base64urlTest, EncoderAgreesWithLibsodium) {
  auto sodium = [](std::string_view bytes) {
    std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(out.size() - 1);
    return out;
  };
  for (int b = 0; b < 256; ++b) {
    for (std::size_t len = 1; len <= 13; ++len) {
      for (std::size_t at = 0; at < len; ++at) {
        std::string bytes(len, '\x5a');
        bytes[at] = static_cast<char>(b);
        ASSERT_EQ(base64urlEncode(bytes), sodium(bytes)) << "byte " << b << " len " << len << " at " << at;
        ASSERT_EQ(base64urlDecode(base64urlEncode(bytes)), bytes);
      }
    }
  }
  EXPECT_EQ(base64urlEncode(""), "");
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  EXPECT_EQ(base64urlEncode(all), sodium(all));
}

// The eight-at-a-time check against the alphabet spelled out: every byte value at every
// position of texts across the word boundaries, and the empty text.
TEST(Base64urlTest, AlphabetCheckAgreesWithTheAlphabet) {
  auto inAlphabet = [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  };
  EXPECT_TRUE(isBase64url(""));
  for (int b = 0; b < 256; ++b) {
    for (std::size_t len : {1u, 7u, 8u, 9u, 16u, 43u}) {
      for (std::size_t at = 0; at < len; ++at) {
        std::string text(len, 'Q');
        text[at] = static_cast<char>(b);
        ASSERT_EQ(isBase64url(text), inAlphabet(static_cast<unsigned char>(b))) << "byte " << b << " at " << at;
      }
    }
  }
  EXPECT_TRUE(isBase64url("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"));
}

TEST(Base64urlTest, StrictDecoderRefusesOtherAlphabetsPaddingAndNonCanonicalTails) {
  EXPECT_EQ(base64urlDecode(base64urlEncode("sockguard?>")), "sockguard?>");
  EXPECT_FALSE(base64urlDecode("ab+/").has_value());
  EXPECT_FALSE(base64urlDecode("YWJj=").has_value());
  EXPECT_FALSE(base64urlDecode("YR").has_value());  // 'R' leaves non-zero bits past the byte
  EXPECT_EQ(base64EitherDecode("ab+/"), base64urlDecode("ab-_"));
  EXPECT_EQ(base64Encode("\xfb\xff"), "+/8=");
}

}  // namespace
}  // namespace sg
