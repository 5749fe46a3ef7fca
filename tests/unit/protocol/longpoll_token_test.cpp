#include "protocol/longpoll_token.hpp"

#include <gtest/gtest.h>

namespace sg::protocol {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

LongPollClaims claims(std::string user = "42") {
  return LongPollClaims{"node1", 3, "sess-abc", std::move(user), kNow + 30};
}

TEST(LongPollToken, RoundTripsItsClaims) {
  LongPollTokens tokens("server-secret", "node1");
  auto token = tokens.sign(claims(), "203.0.113.5");
  EXPECT_TRUE(LongPollTokens::looksLikeToken(token));
  auto verified = tokens.verify(token, "203.0.113.5", kNow);
  ASSERT_TRUE(verified);
  EXPECT_EQ(verified->shard, 3u);
  EXPECT_EQ(verified->session_id, "sess-abc");
  EXPECT_EQ(verified->user_id, "42");
  EXPECT_EQ(verified->expires_at_s, kNow + 30);
}

TEST(LongPollToken, AnonymousAndOddUserIdsSurvive) {
  LongPollTokens tokens("k", "node1");
  for (std::string user : {std::string(), std::string("a.b|c=d/e"), std::string("\xc3\xa9t\xc3\xa9")}) {
    auto verified = tokens.verify(tokens.sign(claims(user), "::1"), "::1", kNow);
    ASSERT_TRUE(verified) << user;
    EXPECT_EQ(verified->user_id, user);
  }
}

TEST(LongPollToken, IsBoundToTheClientAddress) {
  LongPollTokens tokens("k", "node1");
  auto token = tokens.sign(claims(), "203.0.113.5");
  EXPECT_EQ(tokens.verify(token, "203.0.113.6", kNow).error(), LongPollTokenError::WrongAddress);
  // The address itself is not in the token.
  EXPECT_EQ(token.find("203.0.113.5"), std::string::npos);
}

TEST(LongPollToken, AnyEditBreaksTheSignature) {
  LongPollTokens tokens("k", "node1");
  auto token = tokens.sign(claims(), "ip");
  for (std::size_t i = 4; i < token.size(); ++i) {
    if (token[i] == '.') continue;
    std::string edited = token;
    edited[i] = edited[i] == 'A' ? 'B' : 'A';
    auto verified = tokens.verify(edited, "ip", kNow);
    ASSERT_FALSE(verified) << "edit at " << i;
    // Editing the node's name makes it another node's token: told "gone", never trusted.
    if (i < 4 + 5) EXPECT_EQ(verified.error(), LongPollTokenError::OtherNode);
    else EXPECT_TRUE(verified.error() == LongPollTokenError::BadSignature || verified.error() == LongPollTokenError::Malformed)
        << "edit at " << i;
  }
}

TEST(LongPollToken, AnotherKeyOrNodeOrTimeRefuses) {
  LongPollTokens tokens("k", "node1");
  auto token = tokens.sign(claims(), "ip");
  EXPECT_EQ(LongPollTokens("other", "node1").verify(token, "ip", kNow).error(), LongPollTokenError::BadSignature);
  EXPECT_EQ(LongPollTokens("k", "node2").verify(token, "ip", kNow).error(), LongPollTokenError::OtherNode);
  EXPECT_EQ(tokens.verify(token, "ip", kNow + 30).error(), LongPollTokenError::Expired);
  EXPECT_EQ(tokens.verify("lp1.x", "ip", kNow).error(), LongPollTokenError::Malformed);
  EXPECT_EQ(tokens.verify("eyJhbGciOi.x.y", "ip", kNow).error(), LongPollTokenError::Malformed);
  EXPECT_FALSE(LongPollTokens::looksLikeToken("eyJhbGciOi.x.y"));
}

}  // namespace
}  // namespace sg::protocol
