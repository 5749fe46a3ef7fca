#include "obs/redact.hpp"

#include "core/encoding.hpp"

#include "core/text.hpp"


#include <algorithm>
#include <array>
#include <cctype>

namespace sg::obs {
namespace {

constexpr std::array<std::string_view, 7> kSecretParams{
    "ticket", "token", "guardian_token", "auth_token", "_csrf_token", "csrf_token", "password"};
constexpr std::array<std::string_view, 7> kSecretHeaders{
    "cookie", "set-cookie", "authorization", "sec-websocket-protocol", "x-csrf-token",
    "x-phoenix-authtoken", "x-phoenix-longpoll-token"};

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a parameter name, with '+' as space: enough to see through
// "%74oken" or "TOKEN" disguises of a secret parameter.
void decodeName(std::string_view s, std::string& out) {
  out.clear();
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
}

std::string decodeName(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  decodeName(s, out);
  return out;
}

// A value that cannot hide anything: no separator, no escape, no space.
bool plainValue(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '~' || c == '-';
  });
}

}  // namespace

Redactor::Redactor(std::vector<std::string> extra_params, std::vector<std::string> logged_params) {
  for (auto p : kSecretParams) params_.emplace_back(p);
  for (auto& p : extra_params) {
    std::transform(p.begin(), p.end(), p.begin(), [](unsigned char c) { return std::tolower(c); });
    params_.push_back(std::move(p));
  }
  logged_.emplace_back("vsn");
  for (auto& p : logged_params)
    if (validLoggedName(p)) logged_.push_back(std::move(p));
}

bool Redactor::validLoggedName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && plainValue(name) && name.find('~') == std::string_view::npos;
}

bool Redactor::isLoggedParam(std::string_view decoded_name) const {
  return !isSecretParam(decoded_name) && std::find(logged_.begin(), logged_.end(), decoded_name) != logged_.end();
}

bool Redactor::isSecretParam(std::string_view decoded_name) const {
  return std::any_of(params_.begin(), params_.end(), [&](const std::string& p) { return iequals(p, decoded_name); });
}

bool Redactor::isSecretHeader(std::string_view name) {
  return std::any_of(kSecretHeaders.begin(), kSecretHeaders.end(), [&](std::string_view h) { return iequals(h, name); });
}

std::string Redactor::target(std::string_view target) const {
  // Everything after the first '?' or '#' is parameters: a fragment never reaches a server
  // from a browser, but a hand-written request may carry one. Pieces are split on '&'
  // only, as the server's parser splits them: a piece is logged only if the server would
  // read it as an allowed name, and any '?', '#' or ';' in it makes its value not plain.
  // Two finds (each a memchr) rather than find_first_of, which tests each byte in turn.
  auto q = std::min(target.find('?'), target.find('#'));
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  out.reserve(target.size());
  std::string_view query = target.substr(q + 1);
  std::string decoded;  // one for every name: short names fit in it without allocating
  while (true) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    decodeName(name, decoded);
    if (pair.empty()) {
      // "a=1&&b=2": nothing to hide
    } else if (isSecretParam(decoded)) {
      out += name;  // decodes to a credential name: says which credential came, not its value
      out.push_back('=');
      out += kRedacted;
    } else if (isLoggedParam(decoded) && plainValue(name) &&
               (eq == std::string_view::npos || plainValue(pair.substr(eq + 1)))) {
      out += pair;
    } else {
      out += kRedacted;
      if (eq != std::string_view::npos) {
        out.push_back('=');
        out += kRedacted;
      }
    }
    if (amp == std::string_view::npos) break;
    out.push_back('&');
    query.remove_prefix(amp + 1);
  }
  return out;
}

std::string_view Redactor::header(std::string_view name, std::string_view value) const {
  return isSecretHeader(name) ? kRedacted : value;
}

std::string urlForLog(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url.empty() ? "" : kRedacted);
  std::size_t rest = scheme_end + 3;
  std::string out(url.substr(0, rest));
  auto at = url.rfind('@');
  if (at != std::string_view::npos && at >= rest) {
    auto userinfo = url.substr(rest, at - rest);
    auto colon = userinfo.find(':');
    out += userinfo.substr(0, colon);
    if (colon != std::string_view::npos) out += ":" + std::string(kRedacted);
    out += '@';
    rest = at + 1;
  }
  auto tail = url.substr(rest);
  auto query = tail.find('?');
  out += tail.substr(0, query);
  if (query == std::string_view::npos) return out;
  out += '?';
  tail.remove_prefix(query + 1);
  bool first = true;
  while (true) {
    auto amp = tail.find('&');
    auto param = tail.substr(0, amp);
    auto eq = param.find('=');
    auto name = decodeName(param.substr(0, eq));
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!first) out += '&';
    first = false;
    if (eq != std::string_view::npos && (name == "password" || name == "sslpassword")) {
      out += std::string(param.substr(0, eq)) + "=" + std::string(kRedacted);
    } else {
      out += param;
    }
    if (amp == std::string_view::npos) break;
    tail.remove_prefix(amp + 1);
  }
  return out;
}

std::string shortHash(std::string_view secret) {
  return sha256Hex(secret).substr(0, 12);
}

}  // namespace sg::obs
