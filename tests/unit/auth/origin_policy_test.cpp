// Origin parsing and matching (DESIGN §3, issue 10 §8): malformed Origins match nothing,
// malformed entries stop the start.
#include "auth/origin_policy.hpp"

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

OriginPolicy policy(std::vector<std::string> entries) {
  std::string error;
  auto p = OriginPolicy::parse(entries, &error);
  EXPECT_TRUE(p) << error;
  return p ? *p : OriginPolicy{};
}

TEST(ParseOrigin, SplitsAndNormalises) {
  auto o = parseOrigin("HTTPS://App.Example.COM:8443");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->scheme, "https");
  EXPECT_EQ(o->host, "app.example.com");
  EXPECT_EQ(o->port, "8443");
  EXPECT_EQ(parseOrigin("https://a.example.com:443")->port, "");
  EXPECT_EQ(parseOrigin("http://a.example.com:80")->port, "");
  EXPECT_EQ(parseOrigin("http://a.example.com:443")->port, "443");
  EXPECT_EQ(parseOrigin("http://[::1]:4000")->host, "[::1]");
  EXPECT_EQ(parseOrigin("http://127.0.0.1:4000")->host, "127.0.0.1");
  EXPECT_EQ(parseOrigin("https://xn--bcher-kva.example")->host, "xn--bcher-kva.example");
}

TEST(ParseOrigin, RefusesMalformedOrigins) {
  for (const char* bad : {
           "null", "", "https://", "https://..example.com", "https://.example.com", "https://a..example.com",
           "https://example.com.", "https://evil.com\\.example.com", "https://evil.com;.example.com",
           "https://evil.com,.example.com", "https://a.example.com, https://b.example.com", "https://ev il.example.com",
           "https://evil_host.example.com", "https://-a.example.com", "https://a-.example.com",
           "https://user@a.example.com", "https://a.example.com/", "https://a.example.com/path", "https://a.example.com?x",
           "https://a.example.com#f", "https://a.example.com:", "https://a.example.com:0", "https://a.example.com:65536",
           "https://a.example.com:12a", "https://a.example.com:443:443", "https://[::1", "https://[nope]",
           "https://[::1]x", "1https://a.example.com", "ht tp://a.example.com", "://a.example.com",
           "https://b\xc3\xbc" "cher.example", "https://a.example.com\r", "https://*.example.com",
       }) {
    EXPECT_FALSE(parseOrigin(bad)) << bad;
  }
  // A NUL inside an IPv6 literal (inet_pton would read "::" and stop).
  EXPECT_FALSE(parseOrigin(std::string("http://[::\0evil]", 16)));
  EXPECT_FALSE(parseOrigin("http://[::1%25eth0]"));
  std::string long_label(64, 'a');
  EXPECT_FALSE(parseOrigin("https://" + long_label + ".example.com"));
  EXPECT_TRUE(parseOrigin("https://" + long_label.substr(1) + ".example.com"));
}

// The origins of issue 10 §8, each of which matched *.example.com before.
TEST(OriginPolicy, MalformedHostsDoNotMatchAWildcard) {
  auto p = policy({"https://*.example.com"});
  EXPECT_TRUE(p.allows("https://app.example.com"));
  EXPECT_TRUE(p.allows("https://a.b.example.com"));
  for (const char* bad : {"https://..example.com", "https://evil.com\\.example.com", "https://evil.com;.example.com",
                          "https://evil.com,.example.com", "https://.example.com", "https://example.com",
                          "https://evilexample.com", "http://app.example.com", "https://app.example.com:8443"}) {
    EXPECT_FALSE(p.allows(bad)) << bad;
  }
}

TEST(OriginPolicy, ExactEntriesAndDefaultPorts) {
  auto p = policy({"https://app.example.com:443", "http://localhost:4000"});
  EXPECT_TRUE(p.allows("https://app.example.com"));
  EXPECT_TRUE(p.allows("https://APP.example.com"));
  EXPECT_TRUE(p.allows("http://localhost:4000"));
  EXPECT_FALSE(p.allows("http://localhost:4001"));
  EXPECT_FALSE(p.allows("http://localhost"));
  EXPECT_FALSE(p.allows("null"));
}

// allows() answers a browser's spelling of an exact entry without parsing it; every other
// spelling still goes through the parser, and a wildcard entry is never an exact one.
TEST(OriginPolicy, CanonicalSpellingsAndOthersAgree) {
  auto p = policy({"HTTPS://App.Example.com:0443", "http://[::1]:80", "http://localhost", "https://*.example.org"});
  for (const char* good : {"https://app.example.com", "https://app.example.com:443", "HTTPS://APP.EXAMPLE.COM",
                           "http://[::1]", "http://[::1]:80", "http://localhost", "http://LOCALHOST:80",
                           "https://a.example.org"}) {
    EXPECT_TRUE(p.allows(good)) << good;
  }
  for (const char* bad : {"https://app.example.com:0443x", "https://app.example.com/", "http://localhost.",
                          "http://localhost:8080", "https://*.example.org", "https://example.org",
                          "https://xexample.org", "http://a.example.org"}) {
    EXPECT_FALSE(p.allows(bad)) << bad;
  }
  EXPECT_FALSE(p.allows(std::string_view("http://localhost\0", 17)));  // a NUL after it
}

TEST(OriginPolicy, RefusesMalformedEntriesAtStart) {
  for (const char* bad : {"https://..example.com", "https://*.", "https://*.*.example.com", "https://a.*.example.com",
                          "https://*example.com", "https://evil.com\\.example.com", "example.com",
                          "https://app.example.com/", "https://*.[::1]", "https://a.example.com:99999"}) {
    std::string error;
    EXPECT_FALSE(OriginPolicy::parse({bad}, &error)) << bad;
    EXPECT_NE(error.find("auth.allowed_origins"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace sg::auth
