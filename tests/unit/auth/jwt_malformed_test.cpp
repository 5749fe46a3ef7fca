// auth/jwt: input that is not a well-formed JWS (segments, base64url, JSON, `crit`,
// very large or deeply nested input) is refused as malformed, never accepted, never a crash.
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
const std::string kHeader = R"({"alg":"HS256","typ":"JWT"})";

class JwtMalformedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    JwtSettings s;
    s.secret = kSecret;
    std::string error;
    verifier_ = JwtVerifier::create(s, &error);
    ASSERT_NE(verifier_, nullptr) << error;
  }
  std::string payload() const {
    auto now = std::chrono::duration_cast<seconds>(clock_.now().time_since_epoch()).count();
    return json::serialize(json::object{{"sub", "42"}, {"exp", now + 600}});
  }
  static std::string signedWith(std::string_view header, std::string_view payload) {
    return forge::jws(header, payload, forge::hmacWith(EVP_sha256(), kSecret));
  }
  JwtResult verify(std::string_view token) const { return verifier_->verify(token, clock_.now()); }

  ManualClock clock_;
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_F(JwtMalformedTest, TheBaselineTokenIsAccepted) {
  // Every other test here changes one thing of this token.
  EXPECT_TRUE(verify(signedWith(kHeader, payload())).has_value());
}

TEST_F(JwtMalformedTest, NotExactlyThreeSegments) {
  auto good = signedWith(kHeader, payload());
  auto dot1 = good.find('.');
  auto dot2 = good.rfind('.');
  for (const std::string& t : {std::string(), std::string("."), std::string(".."), std::string("..."),
                               std::string("abc"), std::string("a.b.c.d.e"), good.substr(0, dot2), good + ".", good + "." + good.substr(dot2 + 1),
                               good.substr(0, dot1) + good.substr(dot2), "." + good}) {
    auto r = verify(t);
    EXPECT_FALSE(r.has_value()) << t;
    EXPECT_EQ(r.error(), JwtError::Malformed) << t;
  }
}

TEST_F(JwtMalformedTest, CharactersOutsideBase64UrlOrNonCanonicalEncodings) {
  auto good = signedWith(kHeader, payload());
  auto dot1 = good.find('.');
  auto dot2 = good.rfind('.');
  std::string h = good.substr(0, dot1), p = good.substr(dot1 + 1, dot2 - dot1 - 1), s = good.substr(dot2 + 1);
  auto join = [](const std::string& a, const std::string& b, const std::string& c) { return a + "." + b + "." + c; };
  std::vector<std::string> bad = {
      join(h + "=", p, s),              // padding
      join(h, p + "+", s),              // the standard alphabet
      join(h, p, s.substr(0, s.size() - 1) + "/"),
      join(h, " " + p, s),              // whitespace
      join(h, p, s + "\n"),
      join(h, p, s + std::string(1, '\x80')),  // a high byte (libsodium would read it as '_')
      join(h, p, s + std::string(1, '\0')),
      join(h, p, s + "A"),              // a length no base64 has (4n + 1)
  };
  // The same 32 signature bytes spelled with a non-zero trailing bit (43 characters carry
  // 258 bits): one token must have one spelling.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string respelled = s;
  respelled.back() = alphabet[alphabet.find(s.back()) ^ 1];
  EXPECT_EQ(verify(join(h, p, respelled)).error(), JwtError::Malformed);
  for (const auto& t : bad) {
    auto r = verify(t);
    EXPECT_FALSE(r.has_value()) << t;
    EXPECT_NE(r.error(), JwtError::WrongAlgorithm) << t;
    EXPECT_TRUE(r.error() == JwtError::Malformed || r.error() == JwtError::BadSignature) << t << " " << jwtErrorName(r.error());
  }
}

TEST_F(JwtMalformedTest, HeaderOrPayloadThatIsNotAJsonObject) {
  for (std::string_view header : {"", "not json", "[]", R"("HS256")", "null", R"({"alg":"HS256")",
                                  R"({"alg":"HS256"} trailing)"}) {
    EXPECT_EQ(verify(signedWith(header, payload())).error(), JwtError::Malformed) << header;
  }
  // Correctly signed, so the payload's parse is what refuses them.
  for (std::string_view body : {"", "not json", "[]", R"("sub")", "42", R"({"sub":"42","exp":)",
                                R"({"sub":"42"}{"exp":1})"}) {
    auto r = verify(signedWith(kHeader, body));
    EXPECT_FALSE(r.has_value()) << body;
    EXPECT_EQ(r.error(), JwtError::Malformed) << body;
  }
}

TEST_F(JwtMalformedTest, ACritHeaderIsNeverIgnored) {
  // RFC 7515 §4.1.11: an extension the verifier does not understand must fail the token.
  for (std::string_view header : {R"({"alg":"HS256","crit":["exp"]})", R"({"alg":"HS256","crit":["b64"],"b64":false})",
                                  R"({"alg":"HS256","crit":[]})"}) {
    auto r = verify(signedWith(header, payload()));
    EXPECT_FALSE(r.has_value()) << header;
    EXPECT_EQ(r.error(), JwtError::Malformed) << header;
  }
}

TEST_F(JwtMalformedTest, DuplicateMembersResolveToTheLexicallyLastOne) {
  // RFC 7515 §4 / RFC 7519 §4: reject duplicates or use the last one; never the first.
  EXPECT_EQ(verify(signedWith(R"({"alg":"HS256","alg":"none"})", payload())).error(), JwtError::WrongAlgorithm);
  EXPECT_TRUE(verify(signedWith(R"({"alg":"none","alg":"HS256"})", payload())).has_value());
  auto r = verify(signedWith(kHeader, R"({"sub":"1","exp":1700000600,"sub":"42"})"));
  ASSERT_TRUE(r.has_value()) << jwtErrorName(r.error());
  EXPECT_EQ(r->subject, "42");
}

TEST_F(JwtMalformedTest, HugeInputIsHandledWithoutSurprises) {
  // Four MiB of valid base64url in each shape: refused, not accepted, no crash.
  const std::string big(4 << 20, 'A');
  EXPECT_FALSE(verify(big).has_value());
  EXPECT_FALSE(verify(big + "." + big + "." + big).has_value());
  auto huge_claim = json::serialize(json::object{{"sub", "42"}, {"exp", 1'700'000'600}, {"pad", std::string(4 << 20, 'x')}});
  auto r = verify(signedWith(kHeader, huge_claim));
  EXPECT_TRUE(r.has_value()) << "a large but valid signed token is still just a token: " << jwtErrorName(r.error());
  auto forged = verify(forge::jws(kHeader, huge_claim, forge::hmacWith(EVP_sha256(), kSecret + "!")));
  EXPECT_EQ(forged.error(), JwtError::BadSignature);
}

TEST_F(JwtMalformedTest, DeeplyNestedJsonIsMalformedNotAStackOverflow) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  // In the header it is parsed before any signature is checked: the unauthenticated path.
  EXPECT_EQ(verify(forge::unsignedJws(deep, payload(), "x")).error(), JwtError::Malformed);
  EXPECT_EQ(verify(forge::unsignedJws(R"({"alg":"HS256","x":)" + deep + "}", payload(), "x")).error(),
            JwtError::Malformed);
  EXPECT_EQ(verify(signedWith(kHeader, R"({"sub":"42","exp":1700000600,"x":)" + deep + "}")).error(),
            JwtError::Malformed);
}

}  // namespace
}  // namespace sg::auth
