#include "protocol/longpoll_token.hpp"

#include "core/encoding.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <vector>

namespace sg::protocol {
namespace {

constexpr std::string_view kPrefix = "lp1.";
constexpr std::size_t kFields = 7;  // after the prefix: node, shard, session, user, expires, tag, mac

std::string hmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  while (true) {
    auto dot = text.find('.');
    parts.push_back(text.substr(0, dot));
    if (dot == std::string_view::npos) return parts;
    text.remove_prefix(dot + 1);
  }
}

template <class T>
bool parseInt(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool equalBytes(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

LongPollTokens::LongPollTokens(std::string_view server_key, std::string node)
    : key_(hmacSha256(server_key, "sockguard long-poll session token v1")), node_(std::move(node)) {}

std::string LongPollTokens::mac(std::string_view data) const { return base64urlEncode(hmacSha256(key_, data)); }

std::string LongPollTokens::addressTag(std::string_view client_ip) const {
  // 96 bits: enough to tell addresses apart; the MAC over the whole token is what protects it.
  return base64urlEncode(hmacSha256(key_, std::string("address:").append(client_ip)).substr(0, 12));
}

std::string LongPollTokens::sign(const LongPollClaims& c, std::string_view client_ip) const {
  std::string body(kPrefix);
  body += c.node + '.' + std::to_string(c.shard) + '.' + c.session_id + '.' + base64urlEncode(c.user_id) + '.' +
          std::to_string(c.expires_at_s) + '.' + addressTag(client_ip);
  std::string signature = mac(body);
  return body + '.' + signature;
}

bool LongPollTokens::looksLikeToken(std::string_view text) { return text.starts_with(kPrefix); }

boost::system::result<LongPollClaims, LongPollTokenError> LongPollTokens::verify(std::string_view token,
                                                                                 std::string_view client_ip,
                                                                                 std::int64_t now_s) const {
  if (!looksLikeToken(token) || token.size() > 1024) return LongPollTokenError::Malformed;
  auto parts = split(token.substr(kPrefix.size()));
  if (parts.size() != kFields) return LongPollTokenError::Malformed;
  // Another node's (or an earlier run's) session cannot be here, whatever its key was.
  if (parts[0] != node_) return LongPollTokenError::OtherNode;
  std::string_view body = token.substr(0, token.size() - parts[6].size() - 1);
  if (!equalBytes(mac(body), parts[6])) return LongPollTokenError::BadSignature;
  LongPollClaims c;
  c.node = std::string(parts[0]);
  c.session_id = std::string(parts[2]);
  auto user = base64urlDecode(parts[3]);
  if (!parseInt(parts[1], c.shard) || !parseInt(parts[4], c.expires_at_s) || !user) return LongPollTokenError::Malformed;
  c.user_id = std::move(*user);
  if (!equalBytes(addressTag(client_ip), parts[5])) return LongPollTokenError::WrongAddress;
  if (c.expires_at_s <= now_s) return LongPollTokenError::Expired;
  return c;
}

}  // namespace sg::protocol
