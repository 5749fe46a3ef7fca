#include "auth/session_cookie.hpp"

#include "http/cookies.hpp"

namespace sg::auth {

std::string_view sessionCookieName(const http::Request& request) {
  return request.secure ? kHostSessionCookie : kSessionCookie;
}

std::optional<std::string> sessionCookie(const http::Request& request) {
  auto values = http::cookieValues(request, sessionCookieName(request));
  // Two cookies of one name: the browser sends both and we cannot tell whose is whose.
  if (values.size() != 1) return std::nullopt;
  return std::move(values.front());
}

}  // namespace sg::auth
