#include "obs/redact.hpp"

#include "core/text.hpp"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace sg::obs {
namespace {

constexpr std::array<std::string_view, 7> kSecretParams{
    "ticket", "token", "guardian_token", "auth_token", "_csrf_token", "csrf_token", "password"};
constexpr std::array<std::string_view, 6> kSecretHeaders{
    "cookie", "set-cookie", "authorization", "sec-websocket-protocol", "x-csrf-token",
    "x-phoenix-authtoken"};

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a parameter name, with '+' as space: enough to see through
// "%74oken" or "TOKEN" disguises of a secret parameter.
std::string decodeName(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i] == '+' ? ' ' : s[i]);
  }
  return out;
}

}  // namespace

Redactor::Redactor(std::vector<std::string> extra_params) {
  for (auto p : kSecretParams) params_.emplace_back(p);
  for (auto& p : extra_params) {
    std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
    params_.push_back(std::move(p));
  }
}

bool Redactor::isSecretParam(std::string_view decoded_name) const {
  return std::any_of(params_.begin(), params_.end(), [&](const std::string& p) { return iequals(p, decoded_name); });
}

bool Redactor::isSecretHeader(std::string_view name) {
  return std::any_of(kSecretHeaders.begin(), kSecretHeaders.end(), [&](std::string_view h) { return iequals(h, name); });
}

std::string Redactor::target(std::string_view target) const {
  // A fragment never reaches a server, but a hand-written request may carry one: its
  // parameters are redacted like the query's. Separators are kept as they were.
  auto q = target.find_first_of("?#");
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  std::string_view query = target.substr(q + 1);
  while (true) {
    // '?' too: the server reads its query from the first '?' on, even one after a '#'
    // ("/p#?ticket=..."), so every '?' must start a parameter here as well.
    auto sep = query.find_first_of("&;#?");
    std::string_view pair = query.substr(0, sep);
    auto eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    if (isSecretParam(decodeName(name))) {
      out += name;
      out.push_back('=');
      out += kRedacted;
    } else {
      out += pair;
    }
    if (sep == std::string_view::npos) break;
    out.push_back(query[sep]);
    query.remove_prefix(sep + 1);
  }
  return out;
}

std::string_view Redactor::header(std::string_view name, std::string_view value) const {
  return isSecretHeader(name) ? kRedacted : value;
}

std::string shortHash(std::string_view secret) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 6; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

}  // namespace sg::obs
