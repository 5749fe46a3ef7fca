#pragma once
// Bytes on the wire, built by hand because attackers send what a library refuses to:
// upgrade requests with any header, client frames with any opcode, length, mask or
// reserved bit (RFC 6455 §5.2); and the decoding of the server's unmasked frames.
#include "coro.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::attack {

struct Header {
  std::string name;
  std::string value;
};

// A GET upgrade request for `target` ("/socket/websocket?vsn=2.0.0&ticket=...") with a
// fresh Sec-WebSocket-Key and the `extra` headers (Origin, Cookie, subprotocols...).
std::string upgradeRequest(std::string_view host, std::string_view target, const std::vector<Header>& extra, Rng& rng);

namespace opcode {
inline constexpr std::uint8_t kContinuation = 0x0, kText = 0x1, kBinary = 0x2, kClose = 0x8, kPing = 0x9, kPong = 0xA;
}

struct FrameSpec {
  std::uint8_t opcode = opcode::kText;
  bool fin = true;
  bool masked = true;                            // clients must mask: false is a protocol error
  std::uint8_t rsv = 0;                          // reserved bits 1-3 (must be 0 without an extension)
  std::optional<std::uint64_t> declared_length;  // a length field that lies about the payload
};
std::string clientFrame(std::string_view payload, const FrameSpec& spec, Rng& rng);
std::string textFrame(std::string_view payload, Rng& rng);
// A close frame with `code` (what a polite client answers the server's close with).
std::string closeFrame(std::uint16_t code, Rng& rng);

struct ServerFrame {
  std::uint8_t opcode = 0;
  bool fin = true;
  std::string payload;

  bool isClose() const { return opcode == opcode::kClose; }
  // The close frame's status code (1005, "no status", when it carries none) and reason.
  int closeCode() const;
  std::string closeReason() const;
};

enum class Decode { Frame, NeedMore, Bad };
// Decodes the frame at the front of `buffer`; on Frame, `consumed` bytes were used.
// A masked server frame, or a payload over `max_payload`, is Bad.
Decode decodeServerFrame(std::string_view buffer, std::size_t max_payload, ServerFrame& out, std::size_t& consumed);

}  // namespace sg::attack
