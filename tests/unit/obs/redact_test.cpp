// Redaction of DESIGN §5: secret query parameters and headers never reach a log.
#include "obs/redact.hpp"

#include <gtest/gtest.h>

#include <cctype>

namespace sg::obs {
namespace {

TEST(Redactor, RedactsTicketAndKeepsOtherParams) {
  Redactor r;
  EXPECT_EQ(r.target("/socket/websocket?ticket=abc&vsn=2.0.0"), "/socket/websocket?ticket=[REDACTED]&vsn=2.0.0");
}

TEST(Redactor, RedactsEveryBuiltInSecretParam) {
  Redactor r;
  for (std::string name : {"ticket", "token", "guardian_token", "auth_token", "_csrf_token", "csrf_token", "password"}) {
    std::string out = r.target("/p?" + name + "=s3cret&vsn=1");
    EXPECT_EQ(out, "/p?" + name + "=[REDACTED]&vsn=1");
  }
}

// Issue 10 §8: parameters the server does not know are logged with neither name nor value.
TEST(Redactor, ParamsOffTheAllowlistShowNeitherNameNorValue) {
  Redactor r;
  EXPECT_EQ(r.target("/p?vsn=2.0.0&tokens=1&my_token=2"), "/p?vsn=2.0.0&[REDACTED]=[REDACTED]&[REDACTED]=[REDACTED]");
  EXPECT_EQ(r.target("/p?ticket+=SECRET"), "/p?[REDACTED]=[REDACTED]");
  EXPECT_EQ(r.target("/p?+ticket=SECRET"), "/p?[REDACTED]=[REDACTED]");
  // A secret in the name itself.
  EXPECT_EQ(r.target("/p?ticket%3DSECRET=1&vsn=2.0.0"), "/p?[REDACTED]=[REDACTED]&vsn=2.0.0");
  EXPECT_EQ(r.target("/p?SECRET"), "/p?[REDACTED]");
}

TEST(Redactor, AllowlistedValuesMustBePlain) {
  Redactor r;
  EXPECT_EQ(r.target("/p?vsn=2.0.0"), "/p?vsn=2.0.0");
  // What another parser would split off ("vsn=2;ticket=SECRET") never rides along.
  EXPECT_EQ(r.target("/p?vsn=2;ticket=SECRET"), "/p?[REDACTED]=[REDACTED]");
  EXPECT_EQ(r.target("/p?vsn=a%20b"), "/p?[REDACTED]=[REDACTED]");
  // The name as the server reads it, exactly: neither "VSN" nor "%76sn" is logged.
  EXPECT_EQ(r.target("/p?VSN=1&%76sn=2"), "/p?[REDACTED]=[REDACTED]&[REDACTED]=[REDACTED]");
}

TEST(Redactor, ConfiguredNamesAreLoggedButNeverACredential) {
  Redactor r({}, {"trace_id", "ticket"});
  EXPECT_EQ(r.target("/p?trace_id=ab-12&ticket=SECRET&x=1"), "/p?trace_id=ab-12&ticket=[REDACTED]&[REDACTED]=[REDACTED]");
  EXPECT_TRUE(r.isLoggedParam("trace_id"));
  EXPECT_TRUE(r.isLoggedParam("vsn"));
  EXPECT_FALSE(r.isLoggedParam("ticket"));
  EXPECT_FALSE(Redactor().isLoggedParam("trace_id"));
}

TEST(Redactor, LoggedNamesArePlain) {
  EXPECT_TRUE(Redactor::validLoggedName("trace_id"));
  EXPECT_TRUE(Redactor::validLoggedName("a.b-c"));
  for (std::string_view bad : {"", "a b", "a=b", "a&b", "a;b", "a%20", "a?b", "a~b"})
    EXPECT_FALSE(Redactor::validLoggedName(bad)) << bad;
}

TEST(Redactor, SeesThroughUpperCaseNames) {
  Redactor r;
  EXPECT_EQ(r.target("/p?TOKEN=abc"), "/p?TOKEN=[REDACTED]");
  EXPECT_EQ(r.target("/p?Ticket=abc"), "/p?Ticket=[REDACTED]");
}

TEST(Redactor, SeesThroughPercentEncodedNames) {
  Redactor r;
  EXPECT_EQ(r.target("/p?%74oken=abc"), "/p?%74oken=[REDACTED]");
  EXPECT_EQ(r.target("/p?%54%4F%4B%45%4E=abc"), "/p?%54%4F%4B%45%4E=[REDACTED]");
  EXPECT_EQ(r.target("/p?toke%6e=abc"), "/p?toke%6e=[REDACTED]");
}

TEST(Redactor, RedactsConfiguredExtraNames) {
  Redactor r({"Api_Secret"}, {"api_secret"});
  EXPECT_EQ(r.target("/p?api_secret=abc&token=t"), "/p?api_secret=[REDACTED]&token=[REDACTED]");
  EXPECT_EQ(r.target("/p?API_SECRET=abc"), "/p?API_SECRET=[REDACTED]");
  EXPECT_TRUE(r.isSecretParam("api_secret"));
  EXPECT_FALSE(Redactor().isSecretParam("api_secret"));
}

TEST(Redactor, TargetWithoutQueryIsUnchanged) {
  Redactor r;
  EXPECT_EQ(r.target("/socket/websocket"), "/socket/websocket");
  EXPECT_EQ(r.target("/token"), "/token");
  EXPECT_EQ(r.target("/p?"), "/p?");
}

TEST(Redactor, EmptyValuesAndBareNames) {
  Redactor r;
  EXPECT_EQ(r.target("/p?token="), "/p?token=[REDACTED]");
  EXPECT_EQ(r.target("/p?token"), "/p?token=[REDACTED]");
  EXPECT_EQ(r.target("/p?vsn=&vsn"), "/p?vsn=&vsn");
  EXPECT_EQ(r.target("/p?a=&b"), "/p?[REDACTED]=[REDACTED]&[REDACTED]");
  EXPECT_EQ(r.target("/p?vsn=1&&token=x"), "/p?vsn=1&&token=[REDACTED]");
}

// ';' is no separator to the server: a piece with one is not logged at all.
TEST(Redactor, SemicolonsHideNothing) {
  Redactor r;
  EXPECT_EQ(r.target("/p?vsn=2.0.0;ticket=s3cret;x=1"), "/p?[REDACTED]=[REDACTED]");
  EXPECT_EQ(r.target("/p?ticket=s3cret;x=1"), "/p?ticket=[REDACTED]");
}

// A fragment never reaches a server from a browser, but a hand-written request may carry
// one, and a token pasted after '#' must not reach the log either.
TEST(Redactor, RedactsSecretsInAFragment) {
  Redactor r;
  EXPECT_EQ(r.target("/p?vsn=2.0.0#token=s3cret"), "/p?[REDACTED]=[REDACTED]");
  EXPECT_EQ(r.target("/p#ticket=s3cret&vsn=1"), "/p#ticket=[REDACTED]&vsn=1");
  EXPECT_EQ(r.target("/p?vsn=1#frag"), "/p?[REDACTED]=[REDACTED]");
}

TEST(Redactor, EverySecretInARepeatedQuery) {
  Redactor r;
  std::string out = r.target("/p?token=one&token=two&ticket=three");
  EXPECT_EQ(out, "/p?token=[REDACTED]&token=[REDACTED]&ticket=[REDACTED]");
}

TEST(Redactor, SecretHeaders) {
  Redactor r;
  for (std::string_view name : {"Cookie", "set-cookie", "AUTHORIZATION", "Sec-WebSocket-Protocol", "X-CSRF-Token",
                                "X-Phoenix-AuthToken"}) {
    EXPECT_TRUE(Redactor::isSecretHeader(name)) << name;
    EXPECT_EQ(r.header(name, "secret-value"), kRedacted) << name;
  }
}

TEST(Redactor, OrdinaryHeadersPassThrough) {
  Redactor r;
  for (std::string_view name : {"Host", "Origin", "User-Agent", "X-Forwarded-For", "Cookies"}) {
    EXPECT_FALSE(Redactor::isSecretHeader(name)) << name;
    EXPECT_EQ(r.header(name, "value"), "value") << name;
  }
}

TEST(ShortHash, IsTwelveLowerHexDigits) {
  std::string h = shortHash("session-id-1");
  ASSERT_EQ(h.size(), 12u);
  for (char c : h) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c)) && !std::isupper(static_cast<unsigned char>(c))) << h;
}

TEST(ShortHash, IsStableAndDistinguishesInputs) {
  EXPECT_EQ(shortHash("abc"), shortHash("abc"));
  EXPECT_NE(shortHash("abc"), shortHash("abd"));
  // First six bytes of SHA-256("abc") = ba7816bf8f01...
  EXPECT_EQ(shortHash("abc"), "ba7816bf8f01");
  EXPECT_EQ(shortHash("").size(), 12u);
}

TEST(ShortHash, DoesNotContainTheSecret) {
  EXPECT_EQ(shortHash("0123456789ab").find("0123456789ab"), std::string::npos);
}

TEST(UrlForLog, HidesTheUserPassword) {
  EXPECT_EQ(urlForLog("postgresql://app:s3cret@db.example:5432/sockguard"),
            "postgresql://app:[REDACTED]@db.example:5432/sockguard");
  EXPECT_EQ(urlForLog("redis://:s3cret@127.0.0.1:6379/0"), "redis://:[REDACTED]@127.0.0.1:6379/0");
}

TEST(UrlForLog, KeepsWhatIsNotSecret) {
  EXPECT_EQ(urlForLog("postgresql://app@db/sockguard"), "postgresql://app@db/sockguard");
  EXPECT_EQ(urlForLog("postgresql://db:5432/sockguard?sslmode=require"), "postgresql://db:5432/sockguard?sslmode=require");
  EXPECT_EQ(urlForLog(""), "");
}

TEST(UrlForLog, AnUnescapedAtInThePasswordLeavesNothingBehind) {
  auto shown = urlForLog("postgresql://app:p@ss@word@db/sockguard");
  EXPECT_EQ(shown, "postgresql://app:[REDACTED]@db/sockguard");
  EXPECT_EQ(shown.find("ss"), std::string::npos);
}

TEST(UrlForLog, HidesPasswordQueryParameters) {
  EXPECT_EQ(urlForLog("postgresql://db/sg?user=app&password=s3cret&sslmode=require"),
            "postgresql://db/sg?user=app&password=[REDACTED]&sslmode=require");
  EXPECT_EQ(urlForLog("postgresql://db/sg?%50assword=s3cret"), "postgresql://db/sg?%50assword=[REDACTED]");
  EXPECT_EQ(urlForLog("postgresql://db/sg?sslpassword=k3y"), "postgresql://db/sg?sslpassword=[REDACTED]");
}

TEST(UrlForLog, TextThatIsNotAUrlIsHiddenWhole) {
  EXPECT_EQ(urlForLog("host=db password=s3cret"), "[REDACTED]");
}

}  // namespace
}  // namespace sg::obs
