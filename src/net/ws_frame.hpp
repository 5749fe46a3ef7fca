#pragma once
// RFC 6455 framing, without I/O: the parser for what a client sends (masked frames,
// fragments, control frames, size limits) and the header of what the server sends
// (unmasked, never fragmented). The WebSocket session owns the socket and feeds bytes in.
//
// Owning the framing lets a session write every frame it has queued in one system call,
// which a stream that writes one message per operation cannot do.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sg::net::ws {

enum class Opcode : std::uint8_t {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xA,
};

// The header of a final, unmasked frame of `payload_bytes` bytes: 2, 4 or 10 bytes.
class FrameHeader {
 public:
  FrameHeader(Opcode opcode, std::uint64_t payload_bytes);
  const std::uint8_t* data() const { return bytes_.data(); }
  std::size_t size() const { return size_; }
  static std::size_t sizeFor(std::uint64_t payload_bytes) {
    return payload_bytes < 126 ? 2 : payload_bytes <= 0xFFFF ? 4 : 10;
  }

 private:
  std::array<std::uint8_t, 10> bytes_;
  std::uint8_t size_;
};

// The payload of a close frame: the code in network order, then the reason (≤ 123 bytes).
std::string closePayload(std::uint16_t code, std::string_view reason);

// What the parser reports. Views point into the parser's or the caller's buffer and are
// valid only during the call.
class FrameSink {
 public:
  virtual void onMessage(bool binary, std::string_view payload) = 0;
  virtual void onPing(std::string_view payload) = 0;
  // The peer's close frame; no code when its payload was empty (1005).
  virtual void onPeerClose(std::optional<std::uint16_t> code) = 0;

 protected:
  ~FrameSink() = default;
};

enum class FrameError : std::uint8_t {
  None,
  Protocol,     // 1002: unmasked frame, reserved bits or opcode, bad fragment order...
  TooBig,       // 1009: a message over the current limit, found from its header
  InvalidUtf8,  // 1007: a text message or close reason that is not UTF-8
};

class FrameParser {
 public:
  explicit FrameParser(std::size_t max_message_bytes) { setMaxMessageBytes(max_message_bytes); }

  // The limit may change between calls (it grows once a socket authenticates). Kept in
  // 32 bits (limits.frame_bytes is at most 64 MiB): it packs with the flags below.
  void setMaxMessageBytes(std::size_t n) {
    max_message_ = static_cast<std::uint32_t>(std::min<std::size_t>(n, std::numeric_limits<std::uint32_t>::max()));
  }

  // Parses what arrived; `data` is unmasked in place. Bytes of an incomplete frame are
  // kept for the next call. After an error or a close frame, further input is ignored.
  FrameError feed(char* data, std::size_t size, FrameSink& sink);

  bool stopped() const { return stopped_; }
  // Heap bytes the parser holds for an incomplete frame or a fragmented message.
  std::size_t bufferedBytes() const {
    if (!buffers_) return 0;
    const std::size_t inline_capacity = std::string().capacity();
    return sizeof(Buffers) + buffers_->pending.capacity() + buffers_->message.capacity() - 2 * inline_capacity;
  }

 private:
  struct Buffers {
    std::string pending;  // bytes of a frame not yet complete
    std::string message;  // a fragmented message being assembled
  };
  Buffers& buffers() {
    if (!buffers_) buffers_ = std::make_unique<Buffers>();
    return *buffers_;
  }
  // Parses one frame at `p`; returns the bytes it used, 0 when the frame is incomplete.
  std::size_t parseOne(char* p, std::size_t n, FrameSink& sink, FrameError& error);
  void deliver(bool binary, std::string_view payload, FrameSink& sink, FrameError& error);

  std::uint32_t max_message_ = 0;
  bool in_message_ = false;
  bool message_binary_ = false;
  bool stopped_ = false;
  // Made when a frame arrives incomplete or a message in fragments, dropped once both are
  // empty again: every idle socket has a parser, and two empty strings in each cost 64
  // bytes (and kept what a large frame had grown them to).
  std::unique_ptr<Buffers> buffers_;
};

}  // namespace sg::net::ws
