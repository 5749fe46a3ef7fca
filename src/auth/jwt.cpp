#include "auth/jwt.hpp"

#include "core/encoding.hpp"

#include "auth/passwords.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <algorithm>
#include <stdexcept>
#include <cmath>
#include <vector>

namespace sg::auth {
namespace json = boost::json;
using std::chrono::seconds;

void throw_exception_from_error(JwtError error, const boost::source_location&) {
  throw std::logic_error("value() of a refused JWT: " + std::string(jwtErrorName(error)));
}

std::string_view jwtErrorName(JwtError e) {
  switch (e) {
    case JwtError::Malformed: return "malformed";
    case JwtError::WrongAlgorithm: return "wrong_algorithm";
    case JwtError::BadSignature: return "bad_signature";
    case JwtError::MissingClaim: return "missing_claim";
    case JwtError::Expired: return "expired";
    case JwtError::NotYetValid: return "not_yet_valid";
    case JwtError::WrongAudience: return "wrong_audience";
    case JwtError::WrongIssuer: return "wrong_issuer";
    case JwtError::TooLongLived: return "too_long_lived";
  }
  return "malformed";
}

namespace {

enum class Family { Hmac, Rsa, Ecdsa, EdDsa };

struct Algorithm {
  std::string_view name;
  Family family;
  const EVP_MD* (*digest)();
};

const Algorithm* findAlgorithm(std::string_view name) {
  static const Algorithm kAlgorithms[] = {
      {"HS256", Family::Hmac, EVP_sha256}, {"HS384", Family::Hmac, EVP_sha384}, {"HS512", Family::Hmac, EVP_sha512},
      {"RS256", Family::Rsa, EVP_sha256},  {"ES256", Family::Ecdsa, EVP_sha256}, {"EdDSA", Family::EdDsa, nullptr},
  };
  for (const auto& a : kAlgorithms)
    if (a.name == name) return &a;
  return nullptr;
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

// Loads a PEM key and checks that its type fits the algorithm: an RSA key is never
// used for HMAC, an EC key must be P-256, and so on.
Pkey loadKey(const Algorithm& alg, const std::string& pem, bool is_private, std::string* error) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  Pkey key(is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                      : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    *error = is_private ? "not a PEM private key" : "not a PEM public key";
    return nullptr;
  }
  int type = EVP_PKEY_get_base_id(key.get());
  bool fits = false;
  switch (alg.family) {
    case Family::Rsa: fits = type == EVP_PKEY_RSA && EVP_PKEY_get_bits(key.get()) >= 2048; break;
    case Family::Ecdsa: {
      char group[64] = {};
      std::size_t len = 0;
      fits = type == EVP_PKEY_EC && EVP_PKEY_get_group_name(key.get(), group, sizeof group, &len) == 1 &&
             std::string_view(group, len) == "prime256v1";
      break;
    }
    case Family::EdDsa: fits = type == EVP_PKEY_ED25519; break;
    case Family::Hmac: fits = false; break;
  }
  if (!fits) {
    *error = std::string("key type does not fit ") + std::string(alg.name) +
             " (RS256: RSA >= 2048 bits, ES256: EC P-256, EdDSA: Ed25519)";
    return nullptr;
  }
  return key;
}

// ES256 signatures are raw r||s (64 bytes) in JWS; OpenSSL speaks DER.
std::optional<std::string> rawToDer(std::string_view raw) {
  if (raw.size() != 64) return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  ECDSA_SIG_set0(sig, r, s);
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (len <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::optional<std::string> derToRaw(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (!sig) return std::nullopt;
  std::string out(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(out.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(out.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return out;
}

std::string hmac(const Algorithm& alg, const std::string& secret, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(alg.digest(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::optional<SystemTime> numericDate(const json::object& o, std::string_view name, bool& malformed) {
  const auto* v = o.if_contains(name);
  if (!v) return std::nullopt;
  double d = 0;
  if (v->is_int64()) d = static_cast<double>(v->get_int64());
  else if (v->is_uint64()) d = static_cast<double>(v->get_uint64());
  else if (v->is_double()) d = v->get_double();
  else {
    malformed = true;
    return std::nullopt;
  }
  // Refuse absurd dates instead of overflowing a time_point: system_clock counts
  // nanoseconds in 64 bits (up to 2262), and exp + leeway must fit as well. 9e9 is 2255.
  if (!std::isfinite(d) || d < 0 || d > 9e9) {
    malformed = true;
    return std::nullopt;
  }
  // Keep the fraction (RFC 7519 §2 allows one): truncating would let a token in up to a
  // second before its nbf. Whole seconds and the fraction apart, as nanoseconds since 1970
  // are beyond a double's exact integers.
  double whole = std::floor(d);
  return SystemTime{seconds(static_cast<std::int64_t>(whole)) +
                    std::chrono::duration_cast<SystemTime::duration>(std::chrono::duration<double>(d - whole))};
}

class Verifier final : public JwtVerifier {
 public:
  Verifier(const JwtSettings& s, const Algorithm& alg, Pkey key) : s_(s), alg_(alg), key_(std::move(key)) {}

  JwtResult verify(std::string_view token, SystemTime now) const override {
    auto fail = [](JwtError e) { return JwtResult(e); };
    auto dot1 = token.find('.');
    auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
      return fail(JwtError::Malformed);
    }
    auto header_json = base64urlDecode(token.substr(0, dot1));
    auto payload_json = base64urlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1));
    auto signature = base64urlDecode(token.substr(dot2 + 1));
    if (!header_json || !payload_json || !signature) return fail(JwtError::Malformed);

    boost::system::error_code ec;
    auto header = json::parse(*header_json, ec);
    if (ec || !header.is_object()) return fail(JwtError::Malformed);
    const auto* alg = header.get_object().if_contains("alg");
    if (!alg || !alg->is_string() || alg->get_string() != alg_.name) return fail(JwtError::WrongAlgorithm);
    // No extension we would have to understand is supported.
    if (header.get_object().contains("crit")) return fail(JwtError::Malformed);

    if (!signatureValid(token.substr(0, dot2), *signature)) return fail(JwtError::BadSignature);

    auto payload = json::parse(*payload_json, ec);
    if (ec || !payload.is_object()) return fail(JwtError::Malformed);
    return checkClaims(payload.get_object(), now);
  }

 private:
  bool signatureValid(std::string_view signed_part, const std::string& signature) const {
    if (alg_.family == Family::Hmac) {
      std::string expected = hmac(alg_, s_.secret, signed_part);
      return constantTimeEquals(expected, signature);
    }
    std::string sig = signature;
    if (alg_.family == Family::Ecdsa) {
      auto der = rawToDer(signature);
      if (!der) return false;
      sig = std::move(*der);
    }
    MdCtx ctx(EVP_MD_CTX_new());
    const EVP_MD* md = alg_.digest ? alg_.digest() : nullptr;
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                            reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  }

  JwtResult checkClaims(const json::object& o, SystemTime now) const {
    auto fail = [](JwtError e) { return JwtResult(e); };
    bool malformed = false;
    auto exp = numericDate(o, "exp", malformed);
    auto nbf = numericDate(o, "nbf", malformed);
    auto iat = numericDate(o, "iat", malformed);
    if (malformed) return fail(JwtError::Malformed);
    if (!exp) return fail(JwtError::MissingClaim);
    const seconds leeway(s_.leeway_s);
    if (*exp + leeway <= now) return fail(JwtError::Expired);
    if (nbf && *nbf - leeway > now) return fail(JwtError::NotYetValid);
    if (iat && *iat - leeway > now) return fail(JwtError::NotYetValid);
    const seconds max_age(s_.max_age_s);
    if (*exp - (iat ? *iat : now) > max_age) return fail(JwtError::TooLongLived);
    if (!s_.audience.empty() && !audienceMatches(o)) return fail(JwtError::WrongAudience);
    if (!s_.issuer.empty()) {
      const auto* iss = o.if_contains("iss");
      if (!iss || !iss->is_string() || iss->get_string() != s_.issuer) return fail(JwtError::WrongIssuer);
    }
    JwtClaims claims;
    const auto* sub = o.if_contains("sub");
    if (sub && sub->is_string()) claims.subject = std::string(sub->get_string());
    else if (sub && (sub->is_int64() || sub->is_uint64())) claims.subject = json::serialize(*sub);
    if (claims.subject.empty() || claims.subject.size() > 128) return fail(JwtError::MissingClaim);
    if (const auto* jti = o.if_contains("jti"); jti && jti->is_string()) claims.jti = std::string(jti->get_string());
    claims.expires_at = *exp;
    claims.accepted_until = *exp + leeway;
    claims.issued_at = iat;
    return claims;
  }

  bool audienceMatches(const json::object& o) const {
    const auto* aud = o.if_contains("aud");
    if (!aud) return false;
    if (aud->is_string()) return aud->get_string() == s_.audience;
    if (aud->is_array()) {
      for (const auto& a : aud->get_array())
        if (a.is_string() && a.get_string() == s_.audience) return true;
    }
    return false;
  }

  JwtSettings s_;
  const Algorithm& alg_;
  Pkey key_;
};

class Signer final : public JwtSigner {
 public:
  Signer(const JwtSettings& s, const Algorithm& alg, Pkey key) : s_(s), alg_(alg), key_(std::move(key)) {}

  std::string sign(std::string_view claims_json) const override {
    std::string header = std::string(R"({"alg":")") + std::string(alg_.name) + R"(","typ":"JWT"})";
    std::string signing_input = base64urlEncode(header) + "." + base64urlEncode(claims_json);
    std::string signature;
    if (alg_.family == Family::Hmac) {
      signature = hmac(alg_, s_.secret, signing_input);
    } else {
      MdCtx ctx(EVP_MD_CTX_new());
      const EVP_MD* md = alg_.digest ? alg_.digest() : nullptr;
      std::size_t len = 0;
      EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get());
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size());
      signature.resize(len);
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
      signature.resize(len);
      if (alg_.family == Family::Ecdsa) signature = derToRaw(signature).value_or("");
    }
    return signing_input + "." + base64urlEncode(signature);
  }

 private:
  JwtSettings s_;
  const Algorithm& alg_;
  Pkey key_;
};

template <typename T>
std::unique_ptr<T> build(const JwtSettings& settings, bool is_private, std::string* error) {
  const Algorithm* alg = findAlgorithm(settings.alg);
  if (!alg) {
    *error = "unknown JWT algorithm '" + settings.alg + "'";
    return nullptr;
  }
  Pkey key;
  if (alg->family == Family::Hmac) {
    if (settings.secret.size() < 32) {
      *error = "an HS* secret must be at least 32 bytes";
      return nullptr;
    }
  } else {
    key = loadKey(*alg, settings.key_pem, is_private, error);
    if (!key) return nullptr;
  }
  if constexpr (std::is_same_v<T, JwtVerifier>) return std::make_unique<Verifier>(settings, *alg, std::move(key));
  else return std::make_unique<Signer>(settings, *alg, std::move(key));
}

}  // namespace

std::unique_ptr<JwtVerifier> JwtVerifier::create(const JwtSettings& settings, std::string* error) {
  return build<JwtVerifier>(settings, false, error);
}

std::unique_ptr<JwtSigner> JwtSigner::create(const JwtSettings& settings, std::string* error) {
  return build<JwtSigner>(settings, true, error);
}

std::string signUserToken(const JwtSigner& signer, const JwtSettings& settings, std::string_view user_id,
                          std::chrono::seconds ttl, SystemTime now) {
  auto epoch = std::chrono::duration_cast<seconds>(now.time_since_epoch()).count();
  json::object claims{{"sub", user_id}, {"iat", epoch}, {"exp", epoch + ttl.count()}};
  if (!settings.audience.empty()) claims["aud"] = settings.audience;
  if (!settings.issuer.empty()) claims["iss"] = settings.issuer;
  return signer.sign(json::serialize(claims));
}

}  // namespace sg::auth
