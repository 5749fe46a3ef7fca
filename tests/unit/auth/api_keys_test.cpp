// Server API keys and the Authorization: Bearer header.
#include "auth/api_keys.hpp"

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

http::Request withAuthorization(std::string value) {
  http::Request r;
  r.headers.push_back({"Authorization", std::move(value)});
  return r;
}

TEST(ApiKeys, VerifiesConfiguredKeys) {
  ApiKeys keys({"first-key-0123456789", "second-key-0123456789"});
  EXPECT_FALSE(keys.empty());
  EXPECT_TRUE(keys.verify("first-key-0123456789"));
  EXPECT_TRUE(keys.verify("second-key-0123456789"));
}

TEST(ApiKeys, RefusesWrongKeys) {
  ApiKeys keys({"first-key-0123456789"});
  EXPECT_FALSE(keys.verify("first-key-012345678"));
  EXPECT_FALSE(keys.verify("first-key-01234567890"));
  EXPECT_FALSE(keys.verify("FIRST-KEY-0123456789"));
  EXPECT_FALSE(keys.verify(""));
}

TEST(ApiKeys, NoKeysVerifyNothing) {
  ApiKeys keys({});
  EXPECT_TRUE(keys.empty());
  EXPECT_FALSE(keys.verify(""));
  EXPECT_FALSE(keys.verify("anything"));
}

TEST(BearerToken, ReadsTheToken) {
  EXPECT_EQ(bearerToken(withAuthorization("Bearer abc.def")), "abc.def");
}

TEST(BearerToken, SchemeIsCaseInsensitive) {
  EXPECT_EQ(bearerToken(withAuthorization("bearer abc")), "abc");
  EXPECT_EQ(bearerToken(withAuthorization("BEARER abc")), "abc");
  http::Request r;
  r.headers.push_back({"authorization", "Bearer xyz"});
  EXPECT_EQ(bearerToken(r), "xyz");
}

TEST(BearerToken, SkipsExtraSpaces) {
  EXPECT_EQ(bearerToken(withAuthorization("Bearer    abc")), "abc");
}

TEST(BearerToken, MissingHeader) {
  EXPECT_FALSE(bearerToken(http::Request{}));
}

TEST(BearerToken, EmptyOrOtherScheme) {
  EXPECT_FALSE(bearerToken(withAuthorization("")));
  EXPECT_FALSE(bearerToken(withAuthorization("Bearer")));
  EXPECT_FALSE(bearerToken(withAuthorization("Bearer ")));
  EXPECT_FALSE(bearerToken(withAuthorization("Bearer    ")));
  EXPECT_FALSE(bearerToken(withAuthorization("Basic dXNlcjpwYXNz")));
  EXPECT_FALSE(bearerToken(withAuthorization("Bearerabc")));
}

}  // namespace
}  // namespace sg::auth
