#pragma once
// How a refused handshake is told (DESIGN §4). A client that says it reads the
// `connect_error` message (sockguard's JS client) gets the upgrade, that message and a
// 44xx close. Any other client, the stock `phoenix` client first, gets plain HTTP: that
// client fires onOpen on a 101 and resets its reconnect backoff, so a refusal told after
// an upgrade brings it back within milliseconds, while a failed upgrade lets its own
// backoff apply. `auth.reject_with` forces one style: "message", "http"; "auto" (the
// default) asks the client.
//
// The client says so with the query parameter `sockguard_refusal=connect_error`: a query
// survives every proxy (a subprotocol item must be answered, and some proxies rewrite the
// header), works for long-poll as for WebSocket, and the stock client sends only the
// `params` its user gives it, so it cannot send this by accident.
#include "auth/refusal.hpp"
#include "core/config.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

#include <string_view>

namespace sg::auth {

inline constexpr std::string_view kRefusalStyleParam = "sockguard_refusal";
inline constexpr std::string_view kReadsConnectError = "connect_error";

// Whether the client asked for readable refusals (the parameter, whatever reject_with says).
bool saysItReadsConnectError(const http::Request& upgrade);

// Whether a refusal of this upgrade is told after the upgrade (connect_error and a close
// code) rather than as plain HTTP.
bool refusesWithMessage(const AuthConfig& config, const http::Request& upgrade);

// Whether a socket without credentials is accepted to authenticate by its first message.
// Only for clients that read connect_error: the refusal of a bare socket that never
// authenticates comes after the upgrade, which a stock client takes for a connection.
bool mayAuthenticateLater(const AuthConfig& config, const http::Request& upgrade);

// The plain-HTTP refusal: 400/401/403/429/503 by reason, a JSON body
// {error, message, reconnect, retry_after_ms}, and Retry-After when there is a time.
http::Response refusalResponse(const Refusal& refusal);

}  // namespace sg::auth
