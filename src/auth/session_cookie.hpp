#pragma once
// The session cookie: its name, and the one way to read it from a request.
//
// On a secure request (TLS, or https as a trusted proxy says) the session lives in
// `__Host-sockguard_session`: the browser keeps such a cookie only if it is Secure, has
// Path=/ and no Domain, so neither a sibling subdomain nor a plain-http page can set or
// shadow it. On a plain request it lives in `_sockguard_session`. Each request reads only
// its own name; a name that appears twice (a cookie tossed in front of ours, from a
// sibling subdomain or a parent domain) is read as no session at all.
#include "auth/session_lookup.hpp"
#include "http/request.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sg::auth {

inline constexpr std::string_view kHostSessionCookie = "__Host-sockguard_session";

// The cookie name this request's session lives in (kHostSessionCookie or kSessionCookie).
std::string_view sessionCookieName(const http::Request& request);

// The session id the request carries, or nullopt (absent, or present more than once).
std::optional<std::string> sessionCookie(const http::Request& request);

}  // namespace sg::auth
