#include "credentials.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace sg::attack {
namespace {

long long nowS() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string compact(std::string_view header, std::string_view claims, const EVP_MD* md, std::string_view key) {
  std::string input = base64url(header) + "." + base64url(claims);
  if (!md) return input + ".";
  return input + "." + base64url(hmac(md, key, input));
}

constexpr std::string_view kHs256 = R"({"alg":"HS256","typ":"JWT"})";

std::string claims(std::string_view sub, long long iat, long long exp) {
  return fmt::format(R"({{"sub":"{}","iat":{},"exp":{}}})", sub, iat, exp);
}

}  // namespace

std::string base64url(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : bytes) {
    acc = (acc << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

std::string phoenixProtocolHeader(std::string_view token) {
  return "phoenix, base64url.bearer.phx." + base64url(token);
}

std::string JwtForge::valid(std::string_view sub, std::chrono::seconds ttl, std::string_view jti) const {
  long long now = nowS();
  std::string body =
      jti.empty() ? claims(sub, now, now + ttl.count())
                  : fmt::format(R"({{"sub":"{}","iat":{},"exp":{},"jti":"{}"}})", sub, now, now + ttl.count(), jti);
  return compact(kHs256, body, EVP_sha256(), secret_);
}

std::string JwtForge::expired(std::string_view sub) const {
  long long now = nowS();
  return compact(kHs256, claims(sub, now - 7200, now - 3600), EVP_sha256(), secret_);
}

std::string JwtForge::wrongKey(std::string_view sub) const {
  long long now = nowS();
  return compact(kHs256, claims(sub, now, now + 600), EVP_sha256(), "not-the-server-key-" + secret_);
}

std::string JwtForge::algNone(std::string_view sub) const {
  long long now = nowS();
  return compact(R"({"alg":"none","typ":"JWT"})", claims(sub, now, now + 600), nullptr, {});
}

std::string JwtForge::wrongAlgorithm(std::string_view sub) const {
  long long now = nowS();
  return compact(R"({"alg":"HS512","typ":"JWT"})", claims(sub, now, now + 600), EVP_sha512(), secret_);
}

std::string JwtForge::withoutExpiry(std::string_view sub) const {
  return compact(kHs256, fmt::format(R"({{"sub":"{}","iat":{}}})", sub, nowS()), EVP_sha256(), secret_);
}

std::string JwtForge::notYetValid(std::string_view sub) const {
  long long now = nowS();
  return compact(kHs256,
                 fmt::format(R"({{"sub":"{}","iat":{},"nbf":{},"exp":{}}})", sub, now, now + 86400, now + 90000),
                 EVP_sha256(), secret_);
}

std::string JwtForge::tampered(std::string_view sub) const {
  std::string token = valid("someone-else", std::chrono::seconds(600));
  auto first = token.find('.');
  auto second = token.find('.', first + 1);
  long long now = nowS();
  return token.substr(0, first + 1) + base64url(claims(sub, now, now + 600)) + token.substr(second);
}

}  // namespace sg::attack
