#pragma once
// Test-side JWS: keys made in-process with OpenSSL, and a signer written apart from
// auth/jwt.cpp, so the verifier is checked against tokens it did not make itself and an
// attacker's tokens (any header, any payload, any key) can be built byte by byte.
#include <openssl/bio.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sg::auth::forge {

using Pkey = std::shared_ptr<EVP_PKEY>;

struct KeyPair {
  Pkey key;
  std::string public_pem;
  std::string private_pem;
};

inline std::string pem(EVP_PKEY* key, bool is_private) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  int ok = is_private ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                      : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("PEM_write failed");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

inline KeyPair keyPair(EVP_PKEY* raw) {
  if (!raw) throw std::runtime_error("key generation failed");
  Pkey key(raw, EVP_PKEY_free);
  return {key, pem(raw, false), pem(raw, true)};
}

// Fresh keys; RSA generation takes a moment, so callers keep them in statics.
inline KeyPair rsaKey(std::size_t bits = 2048) { return keyPair(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", bits)); }
inline KeyPair ecKey(const char* curve = "P-256") {
  return keyPair(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve));
}
inline KeyPair ed25519Key() { return keyPair(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }
inline KeyPair ed448Key() { return keyPair(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED448")); }

inline std::string b64url(std::string_view in) {
  std::string out(sodium_base64_ENCODED_LEN(in.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

inline std::string b64urlDecode(std::string_view in) {
  std::string out(in.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(), in.size(), nullptr, &len,
                        nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    throw std::runtime_error("not base64url");
  }
  out.resize(len);
  return out;
}

// Signs the signing input and returns the raw JWS signature bytes.
using SignFn = std::function<std::string(std::string_view signing_input)>;

inline SignFn hmacWith(const EVP_MD* md, std::string key) {
  return [md, key = std::move(key)](std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
  };
}

// RS256 (md = SHA-256), EdDSA (md = nullptr), or ES256 (es256_raw: DER turned into r||s).
inline SignFn pkeyWith(Pkey key, const EVP_MD* md, bool es256_raw = false) {
  return [key = std::move(key), md, es256_raw](std::string_view data) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    std::size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(data.data());
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, in, data.size()) != 1) {
      throw std::runtime_error("sign init failed");
    }
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in, data.size()) != 1) {
      throw std::runtime_error("sign failed");
    }
    sig.resize(len);
    if (!es256_raw) return sig;
    const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
    std::string raw(64, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(parsed), reinterpret_cast<unsigned char*>(raw.data()), 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(parsed), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
    ECDSA_SIG_free(parsed);
    return raw;
  };
}

// header.payload.signature, every part base64url of the exact bytes given.
inline std::string jws(std::string_view header_json, std::string_view payload_json, const SignFn& sign) {
  std::string input = b64url(header_json) + "." + b64url(payload_json);
  return input + "." + b64url(sign(input));
}

inline std::string unsignedJws(std::string_view header_json, std::string_view payload_json,
                               std::string_view signature = "") {
  return b64url(header_json) + "." + b64url(payload_json) + "." + b64url(signature);
}

}  // namespace sg::auth::forge
