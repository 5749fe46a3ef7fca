#pragma once
// Cookie headers: reading one cookie of a request, writing Set-Cookie values.
#include "http/request.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::http {

// The value of cookie `name` in the request's Cookie headers (the first, if repeated).
std::optional<std::string> cookieValue(const Request& request, std::string_view name);
// Every value of cookie `name`, in the order the headers carry them.
std::vector<std::string> cookieValues(const Request& request, std::string_view name);

struct CookieOptions {
  int max_age_s = -1;  // -1: session cookie; 0: delete
  bool http_only = true;
  bool secure = false;
  std::string_view same_site = "Lax";
};

std::string setCookie(std::string_view name, std::string_view value, const CookieOptions& options);

}  // namespace sg::http
