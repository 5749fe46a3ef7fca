// Which session cookie a request carries (issue 10 §3): `__Host-` on secure requests, the
// plain name on plain ones, and nothing when the name appears twice.
#include "auth/session_cookie.hpp"

#include "http/cookies.hpp"

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

http::Request withCookies(bool secure, std::vector<std::string> cookie_headers) {
  http::Request r;
  r.secure = secure;
  for (auto& c : cookie_headers) r.headers.push_back({"Cookie", std::move(c)});
  return r;
}

TEST(SessionCookie, PlainRequestReadsThePlainName) {
  auto r = withCookies(false, {"theme=dark; _sockguard_session=abc"});
  EXPECT_EQ(sessionCookieName(r), kSessionCookie);
  EXPECT_EQ(sessionCookie(r), "abc");
}

TEST(SessionCookie, SecureRequestReadsOnlyTheHostPrefixedName) {
  EXPECT_EQ(sessionCookie(withCookies(true, {"__Host-sockguard_session=abc"})), "abc");
  EXPECT_EQ(sessionCookieName(withCookies(true, {})), kHostSessionCookie);
  // A plain cookie (which any sibling subdomain or http page could have set) is not read.
  EXPECT_EQ(sessionCookie(withCookies(true, {"_sockguard_session=abc"})), std::nullopt);
  // ...and a plain request does not read the __Host- one either.
  EXPECT_EQ(sessionCookie(withCookies(false, {"__Host-sockguard_session=abc"})), std::nullopt);
}

TEST(SessionCookie, ANameThatAppearsTwiceIsNoSession) {
  EXPECT_EQ(sessionCookie(withCookies(false, {"_sockguard_session=attacker; _sockguard_session=victim"})), std::nullopt);
  EXPECT_EQ(sessionCookie(withCookies(false, {"_sockguard_session=a", "_sockguard_session=b"})), std::nullopt);
  EXPECT_EQ(sessionCookie(withCookies(true, {"__Host-sockguard_session=a; __Host-sockguard_session=a"})), std::nullopt);
  // The other name does not count as a duplicate.
  EXPECT_EQ(sessionCookie(withCookies(true, {"_sockguard_session=x; __Host-sockguard_session=a"})), "a");
}

TEST(SessionCookie, NamesAreCaseSensitive) {
  EXPECT_EQ(sessionCookie(withCookies(true, {"__host-sockguard_session=a"})), std::nullopt);
}

TEST(CookieValues, ListsEveryValueInOrder) {
  auto r = withCookies(false, {"a=1; b=2; a=3", "a=4"});
  EXPECT_EQ(http::cookieValues(r, "a"), (std::vector<std::string>{"1", "3", "4"}));
  EXPECT_EQ(http::cookieValue(r, "a"), "1");
  EXPECT_TRUE(http::cookieValues(r, "c").empty());
}

}  // namespace
}  // namespace sg::auth
