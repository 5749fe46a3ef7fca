// http/cookies: reading one cookie out of a request's Cookie headers, writing Set-Cookie.
#include "http/cookies.hpp"

#include <gtest/gtest.h>

namespace sg::http {
namespace {

Request withCookies(std::initializer_list<std::pair<const char*, const char*>> headers) {
  Request r;
  for (const auto& [name, value] : headers) r.headers.push_back({name, value});
  return r;
}

TEST(CookieValue, FindsTheNamedCookieAmongOthers) {
  auto r = withCookies({{"Cookie", "theme=dark; _sockguard_session=abc123; lang=fr"}});
  EXPECT_EQ(cookieValue(r, "_sockguard_session"), "abc123");
  EXPECT_EQ(cookieValue(r, "theme"), "dark");
  EXPECT_EQ(cookieValue(r, "lang"), "fr");
  EXPECT_EQ(cookieValue(r, "missing"), std::nullopt);
}

TEST(CookieValue, NamesMatchWholeAndExactly) {
  auto r = withCookies({{"Cookie", "xsid=1; sid2=2; SID=3; sid=4"}});
  EXPECT_EQ(cookieValue(r, "sid"), "4");
  EXPECT_EQ(cookieValue(withCookies({{"Cookie", "xsid=1; sid2=2"}}), "sid"), std::nullopt);
}

TEST(CookieValue, ValuesKeepTheirEqualsSignsAndMayBeEmpty) {
  auto r = withCookies({{"Cookie", "a=b64==; empty=; flag"}});
  EXPECT_EQ(cookieValue(r, "a"), "b64==");
  EXPECT_EQ(cookieValue(r, "empty"), "");
  EXPECT_EQ(cookieValue(r, "flag"), std::nullopt) << "a pair without '=' is no cookie";
}

TEST(CookieValue, SpacesAroundPairsAreIgnored) {
  auto r = withCookies({{"Cookie", "  a=1 ;b=2;   c=3  "}});
  EXPECT_EQ(cookieValue(r, "a"), "1");
  EXPECT_EQ(cookieValue(r, "b"), "2");
  EXPECT_EQ(cookieValue(r, "c"), "3");
}

TEST(CookieValue, EveryCookieHeaderIsReadAndOnlyThose) {
  auto r = withCookies({{"X-Cookie", "sid=forged"}, {"Set-Cookie", "sid=nope"}, {"cookie", "a=1"}, {"COOKIE", "sid=2"}});
  EXPECT_EQ(cookieValue(r, "sid"), "2");
  EXPECT_EQ(cookieValue(r, "a"), "1");
}

TEST(CookieValue, TheFirstOfTwoSameNamedCookiesWins) {
  // Browsers send the more specific (longer Path) cookie first.
  EXPECT_EQ(cookieValue(withCookies({{"Cookie", "sid=first; sid=second"}}), "sid"), "first");
  EXPECT_EQ(cookieValue(withCookies({{"Cookie", "sid=first"}, {"Cookie", "sid=second"}}), "sid"), "first");
}

TEST(CookieValue, AHugeHeaderIsScannedWithoutTrouble) {
  std::string header;
  for (int i = 0; i < 10'000; ++i) header += "c" + std::to_string(i) + "=v; ";
  header += "sid=last";
  auto r = withCookies({});
  r.headers.push_back({"Cookie", header});
  EXPECT_EQ(cookieValue(r, "sid"), "last");
  EXPECT_EQ(cookieValue(withCookies({{"Cookie", ";;;;=;=="}}), "sid"), std::nullopt);
}

TEST(SetCookie, ASessionCookieIsHttpOnlyLaxAndSiteWide) {
  EXPECT_EQ(setCookie("sid", "abc", {}), "sid=abc; Path=/; HttpOnly; SameSite=Lax");
}

TEST(SetCookie, MaxAgeSecureAndSameSite) {
  CookieOptions o;
  o.max_age_s = 3600;
  o.secure = true;
  o.same_site = "Strict";
  EXPECT_EQ(setCookie("sid", "abc", o), "sid=abc; Path=/; Max-Age=3600; HttpOnly; Secure; SameSite=Strict");
}

TEST(SetCookie, DeletingIsMaxAgeZero) {
  CookieOptions o;
  o.max_age_s = 0;
  EXPECT_EQ(setCookie("sid", "", o), "sid=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

TEST(SetCookie, NotHttpOnlyWhenScriptsMustReadIt) {
  CookieOptions o;
  o.http_only = false;
  EXPECT_EQ(setCookie("csrf", "t", o), "csrf=t; Path=/; SameSite=Lax");
}

}  // namespace
}  // namespace sg::http
