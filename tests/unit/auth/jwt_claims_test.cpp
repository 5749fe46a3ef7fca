// auth/jwt: the registered claims (exp, nbf, iat, aud, iss, sub, jti), leeway and
// max_age, with time moved by a ManualClock instead of waited for.
#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "jws_forge.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace sg::auth {
namespace {
namespace json = boost::json;
using std::chrono::seconds;

const std::string kSecret = "an-hs-secret-of-more-than-32-bytes!!";

class JwtClaimsTest : public ::testing::Test {
 protected:
  // Leeway 30 s and max_age 1 h unless a test says otherwise.
  JwtVerifier& verifier(std::string audience = "", std::string issuer = "") {
    JwtSettings s;
    s.alg = "HS256";
    s.secret = kSecret;
    s.leeway_s = 30;
    s.max_age_s = 3600;
    s.audience = std::move(audience);
    s.issuer = std::move(issuer);
    std::string error;
    verifier_ = JwtVerifier::create(s, &error);
    EXPECT_NE(verifier_, nullptr) << error;
    return *verifier_;
  }
  std::int64_t now() const { return std::chrono::duration_cast<seconds>(clock_.now().time_since_epoch()).count(); }
  // A token signed with the right key carrying exactly these claims.
  static std::string token(const json::object& claims) {
    return forge::jws(R"({"alg":"HS256","typ":"JWT"})", json::serialize(claims), forge::hmacWith(EVP_sha256(), kSecret));
  }
  JwtResult check(const json::object& claims) { return verifier_->verify(token(claims), clock_.now()); }
  json::object fresh() const { return {{"sub", "42"}, {"iat", now()}, {"exp", now() + 600}}; }

  ManualClock clock_;
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_F(JwtClaimsTest, ExpIsRequired) {
  verifier();
  auto c = fresh();
  c.erase("exp");
  EXPECT_EQ(check(c).error(), JwtError::MissingClaim);
  EXPECT_FALSE(check(c).has_value());
}

TEST_F(JwtClaimsTest, ExpiryHonoursTheLeewayToTheSecond) {
  auto& v = verifier();
  auto t = token(fresh());  // exp = now + 600, leeway 30
  EXPECT_TRUE(v.verify(t, clock_.now()).has_value());
  clock_.advance(seconds(629));
  auto late = v.verify(t, clock_.now());
  ASSERT_TRUE(late.has_value()) << "inside the leeway";
  EXPECT_EQ(late->accepted_until, clock_.now() + seconds(1));
  clock_.advance(seconds(1));  // exp + leeway: the last accepted instant is just before it
  EXPECT_EQ(v.verify(t, clock_.now()).error(), JwtError::Expired);
  clock_.advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(v.verify(t, clock_.now()).error(), JwtError::Expired);
}

TEST_F(JwtClaimsTest, NotBeforeAndIssuedAtInTheFutureAreNotYetValidBeyondTheLeeway) {
  auto& v = verifier();
  auto nbf = fresh();
  nbf["nbf"] = now() + 31;
  auto t = token(nbf);
  EXPECT_EQ(v.verify(t, clock_.now()).error(), JwtError::NotYetValid);
  clock_.advance(seconds(1));  // nbf is now exactly leeway ahead: accepted
  EXPECT_TRUE(v.verify(t, clock_.now()).has_value());

  auto iat = fresh();
  iat["iat"] = now() + 31;
  iat["exp"] = now() + 600;
  EXPECT_EQ(check(iat).error(), JwtError::NotYetValid);
  iat["iat"] = now() + 30;
  EXPECT_TRUE(check(iat).has_value());
}

TEST_F(JwtClaimsTest, MaxAgeCapsTheLifetimeWithOrWithoutIat) {
  verifier();  // max_age 1 h
  auto c = fresh();
  c["exp"] = now() + 3600;
  EXPECT_TRUE(check(c).has_value());
  c["exp"] = now() + 3601;
  EXPECT_EQ(check(c).error(), JwtError::TooLongLived);
  // Without iat the lifetime is counted from now: leaving iat out gains nothing.
  c.erase("iat");
  EXPECT_EQ(check(c).error(), JwtError::TooLongLived);
  c["exp"] = now() + 3600;
  EXPECT_TRUE(check(c).has_value());
  // A backdated iat makes an old, long-lived token visible as such.
  c["iat"] = now() - 3500;
  c["exp"] = now() + 600;
  EXPECT_EQ(check(c).error(), JwtError::TooLongLived);
}

TEST_F(JwtClaimsTest, AudienceWhenConfiguredAsStringOrInAList) {
  verifier("sockguard");
  auto c = fresh();
  EXPECT_EQ(check(c).error(), JwtError::WrongAudience) << "missing aud";
  for (json::value aud : {json::value("other"), json::value("SOCKGUARD"), json::value("sockguard "), json::value(""),
                          json::value(json::array{"a", "b"}), json::value(json::array{}), json::value(7),
                          json::value(json::array{json::object{{"sockguard", true}}})}) {
    c["aud"] = aud;
    EXPECT_EQ(check(c).error(), JwtError::WrongAudience) << json::serialize(aud);
  }
  c["aud"] = "sockguard";
  EXPECT_TRUE(check(c).has_value());
  c["aud"] = json::array{"other", "sockguard"};
  EXPECT_TRUE(check(c).has_value());
}

TEST_F(JwtClaimsTest, AudienceIsIgnoredWhenNotConfigured) {
  verifier();
  auto c = fresh();
  c["aud"] = "anything";
  EXPECT_TRUE(check(c).has_value());
}

TEST_F(JwtClaimsTest, IssuerWhenConfigured) {
  verifier("", "https://issuer.example");
  auto c = fresh();
  EXPECT_EQ(check(c).error(), JwtError::WrongIssuer) << "missing iss";
  for (json::value iss : {json::value("https://issuer.example/"), json::value("https://ISSUER.example"),
                          json::value(json::array{"https://issuer.example"}), json::value(nullptr)}) {
    c["iss"] = iss;
    EXPECT_EQ(check(c).error(), JwtError::WrongIssuer) << json::serialize(iss);
  }
  c["iss"] = "https://issuer.example";
  EXPECT_TRUE(check(c).has_value());
}

TEST_F(JwtClaimsTest, SubjectIsRequiredAndBounded) {
  verifier();
  auto c = fresh();
  c.erase("sub");
  EXPECT_EQ(check(c).error(), JwtError::MissingClaim);
  for (json::value sub : {json::value(""), json::value(nullptr), json::value(true), json::value(1.5),
                          json::value(json::object{{"id", 1}}), json::value(json::array{"42"}),
                          json::value(std::string(129, 'u'))}) {
    c["sub"] = sub;
    EXPECT_EQ(check(c).error(), JwtError::MissingClaim) << json::serialize(sub);
  }
  c["sub"] = 99;  // a numeric id is that id's text
  ASSERT_TRUE(check(c).has_value());
  EXPECT_EQ(check(c)->subject, "99");
  c["sub"] = std::string(128, 'u');
  EXPECT_TRUE(check(c).has_value());
}

TEST_F(JwtClaimsTest, JtiIsReportedWhenAString) {
  verifier();
  auto c = fresh();
  EXPECT_EQ(check(c)->jti, "");
  c["jti"] = "once";
  EXPECT_EQ(check(c)->jti, "once");
}

TEST_F(JwtClaimsTest, DatesThatAreNotNumbersOrAreAbsurdAreMalformed) {
  verifier();
  for (const char* claim : {"exp", "nbf", "iat"}) {
    for (json::value bad : {json::value("1700000600"), json::value(true), json::value(nullptr), json::value(-1),
                            json::value(1e300), json::value(json::array{1}), json::value(9.1e9),
                            json::value(std::numeric_limits<std::uint64_t>::max())}) {
      auto c = fresh();
      c[claim] = bad;
      EXPECT_EQ(check(c).error(), JwtError::Malformed) << claim << " = " << json::serialize(bad);
    }
  }
  // A fractional date is a date (RFC 7519 NumericDate).
  auto c = fresh();
  c["exp"] = static_cast<double>(now()) + 600.5;
  EXPECT_TRUE(check(c).has_value());
}

TEST_F(JwtClaimsTest, SignedUserTokensCarryTheConfiguredAudienceAndIssuer) {
  JwtSettings s;
  s.secret = kSecret;
  s.audience = "sockguard";
  s.issuer = "https://issuer.example";
  std::string error;
  auto signer = JwtSigner::create(s, &error);
  ASSERT_NE(signer, nullptr) << error;
  auto t = signUserToken(*signer, s, "42", seconds(60), clock_.now());
  EXPECT_TRUE(verifier("sockguard", "https://issuer.example").verify(t, clock_.now()).has_value());
  EXPECT_EQ(verifier("another-service").verify(t, clock_.now()).error(), JwtError::WrongAudience);
  EXPECT_EQ(verifier("", "https://other.example").verify(t, clock_.now()).error(), JwtError::WrongIssuer);
}

TEST_F(JwtClaimsTest, FractionalDatesKeepTheirFraction) {
  // RFC 7519 §2: a NumericDate may be non-integer. Dropping the fraction would accept a
  // token up to a second before its nbf and report an earlier expiry than it has.
  JwtSettings s;
  s.secret = kSecret;
  s.leeway_s = 0;
  std::string error;
  auto strict = JwtVerifier::create(s, &error);
  ASSERT_NE(strict, nullptr) << error;
  auto c = fresh();
  c["nbf"] = static_cast<double>(now()) + 0.5;
  c["exp"] = static_cast<double>(now()) + 1.25;
  auto t = token(c);
  EXPECT_EQ(strict->verify(t, clock_.now()).error(), JwtError::NotYetValid);
  clock_.advance(std::chrono::milliseconds(500));
  auto r = strict->verify(t, clock_.now());
  ASSERT_TRUE(r.has_value()) << jwtErrorName(r.error());
  EXPECT_EQ(r->expires_at, clock_.now() + std::chrono::milliseconds(750));
  clock_.advance(std::chrono::milliseconds(749));
  EXPECT_TRUE(strict->verify(t, clock_.now()).has_value());
  clock_.advance(std::chrono::milliseconds(1));
  EXPECT_EQ(strict->verify(t, clock_.now()).error(), JwtError::Expired);
}

}  // namespace
}  // namespace sg::auth
