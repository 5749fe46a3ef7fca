#pragma once
// JSON Web Tokens (compact JWS) with one algorithm pinned by configuration: HS256/384/512
// with a secret, RS256, ES256 or EdDSA with a PEM key. The token's header must name the
// pinned algorithm and the key's type must fit it, so `alg: none` and HS/RS confusion
// never reach a signature check. Crypto is OpenSSL's; only the JWS framing is here.
#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sg::auth {

using SystemTime = std::chrono::system_clock::time_point;

struct JwtSettings {
  std::string alg = "HS256";
  std::string secret;   // HS*
  std::string key_pem;  // RS256/ES256/EdDSA: public key (verifier) or private key (signer)
  std::string audience; // required `aud` when set
  std::string issuer;   // required `iss` when set
  int leeway_s = 30;
  int max_age_s = 86400;
};

enum class JwtError : std::uint8_t {
  Malformed,      // not three base64url parts of JSON
  WrongAlgorithm, // header alg is not the pinned one (none, confusion, ...)
  BadSignature,
  MissingClaim,   // no exp, or no sub
  Expired,
  NotYetValid,    // nbf (or iat) in the future
  WrongAudience,
  WrongIssuer,
  TooLongLived,   // exp - iat (or exp - now) over max_age_s
};
std::string_view jwtErrorName(JwtError e);

struct JwtClaims {
  std::string subject;  // the user id
  SystemTime expires_at;
  SystemTime accepted_until;  // exp + leeway: the last moment verify() accepts this token
  std::optional<SystemTime> issued_at;
  std::string jti;      // empty when absent
};

// The claims of a token that passed every check, or why it did not.
using JwtResult = boost::system::result<JwtClaims, JwtError>;

// For JwtResult::value() on a refused token (a programming error: check first).
[[noreturn]] void throw_exception_from_error(JwtError error, const boost::source_location& where);

class JwtVerifier {
 public:
  // nullptr and *error set when the settings cannot work (unknown alg, bad or wrong key).
  static std::unique_ptr<JwtVerifier> create(const JwtSettings& settings, std::string* error);
  virtual ~JwtVerifier() = default;
  virtual JwtResult verify(std::string_view token, SystemTime now) const = 0;
};

class JwtSigner {
 public:
  static std::unique_ptr<JwtSigner> create(const JwtSettings& settings, std::string* error);
  virtual ~JwtSigner() = default;
  // Signs a JSON object of claims (serialized), with the header {"alg":..., "typ":"JWT"}.
  virtual std::string sign(std::string_view claims_json) const = 0;
};

// Signs a token for `user_id` valid for `ttl`, with iat and, when set, aud and iss.
std::string signUserToken(const JwtSigner& signer, const JwtSettings& settings, std::string_view user_id,
                          std::chrono::seconds ttl, SystemTime now);

}  // namespace sg::auth
