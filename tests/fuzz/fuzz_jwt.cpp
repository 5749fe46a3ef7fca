// JwtVerifier::verify (HS256, a fixed 32-byte secret) on any token: never throws or
// crashes, and never accepts a token whose signed part we did not sign.
//
// Input byte 0 picks the mode:
//   even: the rest is a token, verified as is: it may verify only when its signature is
//         the HMAC of its signed part (the seeds hold valid tokens);
//   odd:  byte 1 is a position and byte 2 a new byte, the rest is a claims JSON text: the
//         claims are signed (so the claim checks are reached), verified, then the token is
//         changed at that position and must not verify with a different signed part.
#include "fuzz_support.hpp"

#include "auth/jwt.hpp"

#include <boost/json/parse.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <chrono>
#include <memory>
#include <string>

namespace {

using namespace sg;

const auth::JwtSettings& settings() {
  static const auth::JwtSettings s = [] {
    auth::JwtSettings out;
    out.alg = "HS256";
    out.secret = "0123456789abcdef0123456789abcdef";
    return out;
  }();
  return s;
}

template <typename T>
const T& make() {
  static const std::unique_ptr<T> instance = [] {
    std::string error;
    auto p = T::create(settings(), &error);
    FUZZ_CHECK(p != nullptr);
    return p;
  }();
  return *instance;
}

// Fixed "now" (2023-11-14) so verdicts do not depend on when the fuzzer runs.
const auth::SystemTime kNow{std::chrono::seconds{1'700'000'000}};

std::string_view signedPart(std::string_view token) { return token.substr(0, token.rfind('.')); }

std::string expectedSignature(std::string_view signed_part) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const std::string& key = settings().secret;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(signed_part.data()),
       signed_part.size(), mac, &len);
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), mac, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto& verifier = make<auth::JwtVerifier>();
  if ((data[0] & 1) == 0) {
    std::string_view token = fuzz::view(data + 1, size - 1);
    auto result = verifier.verify(token, kNow);
    if (result.has_value()) {
      auto dot = token.rfind('.');
      FUZZ_CHECK(token.substr(dot + 1) == expectedSignature(token.substr(0, dot)));
      FUZZ_CHECK(!result->subject.empty() && result->subject.size() <= 128);
    }
    return 0;
  }
  if (size < 3) return 0;
  std::size_t position = data[1];
  char replacement = static_cast<char>(data[2]);
  std::string_view claims = fuzz::view(data + 3, size - 3);

  std::string token = make<auth::JwtSigner>().sign(claims);
  auto result = verifier.verify(token, kNow);
  if (result.has_value()) {
    // What verified is what was signed: a JSON object with a non-empty subject.
    auto parsed = boost::json::parse(claims);
    FUZZ_CHECK(parsed.is_object() && parsed.get_object().contains("sub"));
    FUZZ_CHECK(!result->subject.empty() && result->subject.size() <= 128);
  }

  std::string mutated = token;
  mutated[position % mutated.size()] = replacement;
  auto after = verifier.verify(mutated, kNow);
  if (after.has_value()) FUZZ_CHECK(signedPart(mutated) == signedPart(token));
  return 0;
}
