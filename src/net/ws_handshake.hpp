#pragma once
// The server's side of the WebSocket opening handshake (RFC 6455 §4.2): whether a
// request asks for an upgrade, whether it asks correctly, and the 101 answer. No I/O and
// no Beast: net/ writes the answer itself, then speaks ws_frame on the same stream.
#include "http/request.hpp"

#include <boost/system/result.hpp>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace sg::net::ws {

// GET with `Upgrade: websocket` and `Connection: upgrade` (tokens, case-insensitive).
bool isUpgrade(const http::Request& request);

enum class HandshakeError : std::uint8_t {
  BadRequest,          // no or malformed Sec-WebSocket-Key, not GET, not HTTP/1.1: 400
  UnsupportedVersion,  // Sec-WebSocket-Version other than 13: 426 with the version we speak
};

// A Sec-WebSocket-Accept value: the base64 of a SHA-1, always 28 characters, so kept
// inline (one allocation less per upgrade than a std::string of it).
class AcceptKey {
 public:
  static constexpr std::size_t kSize = 28;

  std::string_view view() const { return {text_.data(), kSize}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  std::size_t size() const { return kSize; }
  const char* begin() const { return text_.data(); }
  const char* end() const { return text_.data() + kSize; }
  friend bool operator==(const AcceptKey& a, std::string_view b) { return a.view() == b; }

 private:
  friend boost::system::result<AcceptKey, HandshakeError> acceptKey(const http::Request& request);
  std::array<char, kSize> text_{};
};

// The Sec-WebSocket-Accept value for a well-formed upgrade request.
boost::system::result<AcceptKey, HandshakeError> acceptKey(const http::Request& request);

// The 101 response, with `subprotocol` selected when not empty.
std::string switchingProtocols(std::string_view accept_key, std::string_view subprotocol);
// The same into `out` (replacing what it held).
void switchingProtocols(std::string& out, std::string_view accept_key, std::string_view subprotocol);

}  // namespace sg::net::ws
