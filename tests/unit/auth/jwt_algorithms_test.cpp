// auth/jwt: every pinned algorithm against tokens made outside the module, forged
// signatures, `alg` values other than the pinned one (none, confusion), and keys that
// do not fit their algorithm.
#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "jws_forge.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <vector>

namespace sg::auth {
namespace {
namespace json = boost::json;
using std::chrono::seconds;

const std::string kSecret = "an-hs-secret-of-more-than-32-bytes!!";

std::int64_t unixSeconds(SystemTime t) { return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count(); }

// Keys are made once: RSA generation takes a noticeable moment.
const forge::KeyPair& rsa() { static const auto k = forge::rsaKey(); return k; }
const forge::KeyPair& rsaOther() { static const auto k = forge::rsaKey(); return k; }
const forge::KeyPair& ec() { static const auto k = forge::ecKey(); return k; }
const forge::KeyPair& ecOther() { static const auto k = forge::ecKey(); return k; }
const forge::KeyPair& ed() { static const auto k = forge::ed25519Key(); return k; }
const forge::KeyPair& edOther() { static const auto k = forge::ed25519Key(); return k; }

struct AlgCase {
  std::string alg;
  JwtSettings verify;        // what the server pins
  JwtSettings sign;          // what the module's signer gets (private key)
  forge::SignFn honest;      // the right key, signed by the test
  forge::SignFn stranger;    // a key of the same type that is not the configured one
};

JwtSettings settingsFor(const std::string& alg, std::string secret, std::string pem) {
  JwtSettings s;
  s.alg = alg;
  s.secret = std::move(secret);
  s.key_pem = std::move(pem);
  return s;
}

AlgCase hmacCase(const std::string& alg, const EVP_MD* md) {
  return {alg, settingsFor(alg, kSecret, ""), settingsFor(alg, kSecret, ""), forge::hmacWith(md, kSecret),
          forge::hmacWith(md, kSecret + "x")};
}

AlgCase keyCase(const std::string& alg, const forge::KeyPair& mine, const forge::KeyPair& other, const EVP_MD* md,
                bool raw) {
  return {alg, settingsFor(alg, "", mine.public_pem), settingsFor(alg, "", mine.private_pem),
          forge::pkeyWith(mine.key, md, raw), forge::pkeyWith(other.key, md, raw)};
}

AlgCase caseFor(const std::string& alg) {
  if (alg == "HS256") return hmacCase(alg, EVP_sha256());
  if (alg == "HS384") return hmacCase(alg, EVP_sha384());
  if (alg == "HS512") return hmacCase(alg, EVP_sha512());
  if (alg == "RS256") return keyCase(alg, rsa(), rsaOther(), EVP_sha256(), false);
  if (alg == "ES256") return keyCase(alg, ec(), ecOther(), EVP_sha256(), true);
  return keyCase(alg, ed(), edOther(), nullptr, false);  // EdDSA
}

std::unique_ptr<JwtVerifier> verifierFor(const JwtSettings& s) {
  std::string error;
  auto v = JwtVerifier::create(s, &error);
  EXPECT_NE(v, nullptr) << error;
  return v;
}

class JwtAlgorithm : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    c_ = caseFor(GetParam());
    verifier_ = verifierFor(c_.verify);
    ASSERT_NE(verifier_, nullptr);
  }
  std::string header(std::string_view alg) const {
    return json::serialize(json::object{{"alg", alg}, {"typ", "JWT"}});
  }
  std::string claims(std::string_view sub = "42") const {
    auto now = unixSeconds(clock_.now());
    return json::serialize(json::object{{"sub", sub}, {"iat", now}, {"exp", now + 600}, {"jti", "j-1"}});
  }
  std::string honestToken() const { return forge::jws(header(c_.alg), claims(), c_.honest); }
  JwtResult verify(std::string_view token) const { return verifier_->verify(token, clock_.now()); }

  ManualClock clock_;
  AlgCase c_;
  std::unique_ptr<JwtVerifier> verifier_;
};

TEST_P(JwtAlgorithm, AcceptsATokenSignedOutsideTheModule) {
  auto r = verify(honestToken());
  ASSERT_TRUE(r.has_value()) << jwtErrorName(r.error());
  EXPECT_EQ(r->subject, "42");
  EXPECT_EQ(r->jti, "j-1");
  EXPECT_EQ(r->expires_at, clock_.now() + seconds(600));
  EXPECT_EQ(r->accepted_until, clock_.now() + seconds(600 + c_.verify.leeway_s));
  EXPECT_EQ(r->issued_at, clock_.now());
}

TEST_P(JwtAlgorithm, TheModulesSignerMakesTokensTheVerifierAccepts) {
  std::string error;
  auto signer = JwtSigner::create(c_.sign, &error);
  ASSERT_NE(signer, nullptr) << error;
  auto token = signUserToken(*signer, c_.sign, "7", seconds(300), clock_.now());
  auto header_json = json::parse(forge::b64urlDecode(token.substr(0, token.find('.'))));
  EXPECT_EQ(header_json, (json::object{{"alg", c_.alg}, {"typ", "JWT"}}));
  auto r = verify(token);
  ASSERT_TRUE(r.has_value()) << jwtErrorName(r.error());
  EXPECT_EQ(r->subject, "7");
  EXPECT_EQ(r->expires_at, clock_.now() + seconds(300));
  if (c_.alg == "ES256") {  // JWS wants raw r||s, not OpenSSL's DER
    EXPECT_EQ(forge::b64urlDecode(token.substr(token.rfind('.') + 1)).size(), 64u);
  }
}

TEST_P(JwtAlgorithm, AnotherSubjectUnderTheSameSignatureIsBadSignature) {
  auto token = honestToken();
  auto dot1 = token.find('.'), dot2 = token.rfind('.');
  std::string forged = token.substr(0, dot1 + 1) + forge::b64url(claims("1")) + token.substr(dot2);
  EXPECT_EQ(verify(forged).error(), JwtError::BadSignature);
  EXPECT_FALSE(verify(forged).has_value());
}

TEST_P(JwtAlgorithm, AStrangersKeyIsBadSignature) {
  auto r = verify(forge::jws(header(c_.alg), claims(), c_.stranger));
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), JwtError::BadSignature);
}

TEST_P(JwtAlgorithm, EmptyTruncatedOrFlippedSignaturesAreBadSignature) {
  auto token = honestToken();
  auto dot2 = token.rfind('.');
  std::string input = token.substr(0, dot2);
  std::string sig = forge::b64urlDecode(token.substr(dot2 + 1));
  std::string flipped = sig;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x01);
  for (const std::string& bad : {std::string(), sig.substr(0, sig.size() / 2), sig + sig.substr(0, 1), flipped}) {
    auto r = verify(input + "." + forge::b64url(bad));
    EXPECT_FALSE(r.has_value()) << bad.size();
    EXPECT_EQ(r.error(), JwtError::BadSignature) << bad.size();
  }
}

TEST_P(JwtAlgorithm, AnyOtherAlgInTheHeaderIsRefusedBeforeTheSignature) {
  // Signed with the right key, so only the header's alg can be the reason.
  for (std::string_view alg : {"none", "None", "NONE", "nOnE", "", "HS256", "HS384", "HS512", "RS256", "ES256",
                               "EdDSA", "PS256", "RS512", "ES384", "Ed25519", "hs256"}) {
    if (alg == c_.alg) continue;
    auto r = verify(forge::jws(header(alg), claims(), c_.honest));
    EXPECT_FALSE(r.has_value()) << alg;
    EXPECT_EQ(r.error(), JwtError::WrongAlgorithm) << alg;
  }
  // The classic `alg: none` token: no signature at all.
  EXPECT_EQ(verify(forge::unsignedJws(R"({"alg":"none","typ":"JWT"})", claims())).error(), JwtError::WrongAlgorithm);
  // alg missing or not a string.
  for (std::string_view h : {R"({"typ":"JWT"})", R"({"alg":null})", R"({"alg":["HS256"]})", R"({"alg":256})",
                             R"({"alg":{"name":"HS256"}})"}) {
    EXPECT_EQ(verify(forge::jws(h, claims(), c_.honest)).error(), JwtError::WrongAlgorithm) << h;
  }
}

TEST_P(JwtAlgorithm, KeysNamedOrEmbeddedInTheHeaderAreNeverUsed) {
  // jwk / jku / x5u / kid let a token pick its own key in some libraries: here the key is
  // the configured one, whatever the header carries.
  std::string header_json = json::serialize(json::object{
      {"alg", c_.alg},
      {"typ", "JWT"},
      {"kid", "../../../../../dev/null"},
      {"jku", "https://attacker.example/jwks.json"},
      {"x5u", "https://attacker.example/cert.pem"},
      {"jwk", json::object{{"kty", "oct"}, {"k", forge::b64url("attacker")}}},
  });
  EXPECT_EQ(verify(forge::jws(header_json, claims(), c_.stranger)).error(), JwtError::BadSignature);
  // An HMAC under the empty key (what kid=/dev/null reads as) is refused too.
  EXPECT_EQ(verify(forge::jws(header_json, claims(), forge::hmacWith(EVP_sha256(), ""))).error(),
            JwtError::BadSignature);
  // And the header's extra members do not get in the way of the right key.
  EXPECT_TRUE(verify(forge::jws(header_json, claims(), c_.honest)).has_value());
}

INSTANTIATE_TEST_SUITE_P(EveryAlgorithm, JwtAlgorithm,
                         ::testing::Values("HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"),
                         [](const auto& param_info) { return param_info.param; });

// Algorithm confusion: a verifier pinned to a public-key algorithm never uses its key as
// an HMAC secret, whatever the header says.
TEST(JwtConfusion, HmacKeyedWithThePublicKeyIsRefused) {
  ManualClock clock;
  auto now = unixSeconds(clock.now());
  std::string payload = json::serialize(json::object{{"sub", "42"}, {"exp", now + 60}});
  for (const auto& [alg, pair] : {std::pair<std::string, const forge::KeyPair*>{"RS256", &rsa()},
                                  {"ES256", &ec()}, {"EdDSA", &ed()}}) {
    auto verifier = verifierFor(settingsFor(alg, "", pair->public_pem));
    ASSERT_NE(verifier, nullptr);
    auto hs = forge::hmacWith(EVP_sha256(), pair->public_pem);
    // The textbook attack: header says HS256, MAC keyed with the PEM the attacker downloaded.
    EXPECT_EQ(verifier->verify(forge::jws(R"({"alg":"HS256","typ":"JWT"})", payload, hs), clock.now()).error(),
              JwtError::WrongAlgorithm)
        << alg;
    // The same MAC under the pinned alg's name is just a wrong signature.
    EXPECT_EQ(verifier->verify(forge::jws(R"({"alg":")" + alg + R"(","typ":"JWT"})", payload, hs), clock.now()).error(),
              JwtError::BadSignature)
        << alg;
  }
}

TEST(JwtConfusion, AnEs256SignatureOfTheWrongShapeIsBadSignature) {
  ManualClock clock;
  auto verifier = verifierFor(settingsFor("ES256", "", ec().public_pem));
  ASSERT_NE(verifier, nullptr);
  auto now = unixSeconds(clock.now());
  std::string input = forge::b64url(R"({"alg":"ES256"})") + "." +
                      forge::b64url(json::serialize(json::object{{"sub", "42"}, {"exp", now + 60}}));
  // OpenSSL's own DER form is not JWS: refused, not accepted as a second spelling.
  auto der = forge::pkeyWith(ec().key, EVP_sha256(), false)(input);
  auto raw = forge::pkeyWith(ec().key, EVP_sha256(), true)(input);
  ASSERT_TRUE(verifier->verify(input + "." + forge::b64url(raw), clock.now()).has_value());
  for (const std::string& sig : {der, raw.substr(0, 63), raw + "x", std::string(64, '\0'), std::string(64, '\xff')}) {
    EXPECT_EQ(verifier->verify(input + "." + forge::b64url(sig), clock.now()).error(), JwtError::BadSignature)
        << sig.size();
  }
}

struct BadSettings {
  std::string what;
  JwtSettings settings;
};

TEST(JwtSettingsCheck, KeysThatDoNotFitTheirAlgorithmAreRefusedAtCreation) {
  std::vector<BadSettings> cases = {
      {"unknown alg", settingsFor("PS256", kSecret, "")},
      {"alg none", settingsFor("none", kSecret, "")},
      {"lower-case alg", settingsFor("hs256", kSecret, "")},
      {"empty alg", settingsFor("", kSecret, "")},
      {"HS secret of 31 bytes", settingsFor("HS256", std::string(31, 'k'), "")},
      {"RS256 with an EC key", settingsFor("RS256", "", ec().public_pem)},
      {"RS256 with 1024-bit RSA", settingsFor("RS256", "", forge::rsaKey(1024).public_pem)},
      {"ES256 with P-384", settingsFor("ES256", "", forge::ecKey("P-384").public_pem)},
      {"ES256 with RSA", settingsFor("ES256", "", rsa().public_pem)},
      {"EdDSA with Ed448", settingsFor("EdDSA", "", forge::ed448Key().public_pem)},
      {"EdDSA with EC", settingsFor("EdDSA", "", ec().public_pem)},
      {"RS256 without a key", settingsFor("RS256", "", "")},
      {"RS256 with garbage", settingsFor("RS256", "", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")},
      {"RS256 verifier given a private key only", settingsFor("RS256", "", rsa().private_pem)},
  };
  for (const auto& c : cases) {
    std::string error;
    EXPECT_EQ(JwtVerifier::create(c.settings, &error), nullptr) << c.what;
    EXPECT_FALSE(error.empty()) << c.what;
  }
  std::string error;
  EXPECT_EQ(JwtSigner::create(settingsFor("EdDSA", "", ed().public_pem), &error), nullptr) << "signer needs a private key";
  EXPECT_FALSE(error.empty());
  EXPECT_NE(JwtVerifier::create(settingsFor("HS256", std::string(32, 'k'), ""), &error), nullptr) << error;
}

}  // namespace
}  // namespace sg::auth
