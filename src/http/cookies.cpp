#include "http/cookies.hpp"

#include "core/text.hpp"

namespace sg::http {
namespace {

}  // namespace

std::optional<std::string> cookieValue(const Request& request, std::string_view name) {
  for (const auto& h : request.headers) {
    if (!iequals(h.name, "Cookie")) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      auto semi = rest.find(';');
      auto pair = trim(rest.substr(0, semi));
      auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
  return std::nullopt;
}

std::string setCookie(std::string_view name, std::string_view value, const CookieOptions& o) {
  std::string out;
  out += name;
  out += '=';
  out += value;
  out += "; Path=/";
  if (o.max_age_s >= 0) out += "; Max-Age=" + std::to_string(o.max_age_s);
  if (o.http_only) out += "; HttpOnly";
  if (o.secure) out += "; Secure";
  out += "; SameSite=";
  out += o.same_site;
  return out;
}

}  // namespace sg::http
