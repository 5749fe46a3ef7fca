#pragma once
// The server's side of the WebSocket opening handshake (RFC 6455 §4.2): whether a
// request asks for an upgrade, whether it asks correctly, and the 101 answer. No I/O and
// no Beast: net/ writes the answer itself, then speaks ws_frame on the same stream.
#include "http/request.hpp"

#include <boost/system/result.hpp>

#include <string>
#include <string_view>

namespace sg::net::ws {

// GET with `Upgrade: websocket` and `Connection: upgrade` (tokens, case-insensitive).
bool isUpgrade(const http::Request& request);

enum class HandshakeError : std::uint8_t {
  BadRequest,          // no or malformed Sec-WebSocket-Key, not GET, not HTTP/1.1: 400
  UnsupportedVersion,  // Sec-WebSocket-Version other than 13: 426 with the version we speak
};

// The Sec-WebSocket-Accept value for a well-formed upgrade request.
boost::system::result<std::string, HandshakeError> acceptKey(const http::Request& request);

// The 101 response, with `subprotocol` selected when not empty.
std::string switchingProtocols(std::string_view accept_key, std::string_view subprotocol);

}  // namespace sg::net::ws
