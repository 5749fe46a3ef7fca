#include "http/cookies.hpp"

#include "core/text.hpp"

namespace sg::http {
namespace {

// Calls take(value) for each cookie `name` in the request; stops when take returns false.
template <typename Take>
void eachCookie(const Request& request, std::string_view name, Take&& take) {
  for (const auto& h : request.headers) {
    if (!iequals(h.name, "Cookie")) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      auto semi = rest.find(';');
      auto pair = trim(rest.substr(0, semi));
      auto eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name && !take(pair.substr(eq + 1))) return;
      if (semi == std::string_view::npos) break;
      rest.remove_prefix(semi + 1);
    }
  }
}

}  // namespace

std::optional<std::string> cookieValue(const Request& request, std::string_view name) {
  std::optional<std::string> out;
  eachCookie(request, name, [&](std::string_view value) {
    out = std::string(value);
    return false;
  });
  return out;
}

std::vector<std::string> cookieValues(const Request& request, std::string_view name) {
  std::vector<std::string> out;
  eachCookie(request, name, [&](std::string_view value) {
    out.emplace_back(value);
    return true;
  });
  return out;
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
