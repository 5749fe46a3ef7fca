#include "auth/api_keys.hpp"

#include "core/encoding.hpp"
#include "core/text.hpp"

#include <openssl/crypto.h>

namespace sg::auth {
ApiKeys::ApiKeys(const std::vector<std::string>& keys) {
  for (const auto& k : keys) digests_.push_back(sha256(k));
}

bool ApiKeys::verify(std::string_view presented) const {
  auto d = sha256(presented);
  bool match = false;
  for (const auto& key : digests_) match |= CRYPTO_memcmp(key.data(), d.data(), d.size()) == 0;
  return match;
}

std::optional<std::string_view> bearerToken(const http::Request& request) {
  auto value = request.header("Authorization");
  if (!value) return std::nullopt;
  constexpr std::string_view kScheme = "Bearer ";
  if (value->size() <= kScheme.size() || !iequals(value->substr(0, kScheme.size()), kScheme)) return std::nullopt;
  auto token = value->substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace sg::auth
