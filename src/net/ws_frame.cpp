#include "net/ws_frame.hpp"

#include "core/utf8.hpp"

#include <cstring>

namespace sg::net::ws {

FrameHeader::FrameHeader(Opcode opcode, std::uint64_t payload_bytes) {
  bytes_[0] = 0x80 | static_cast<std::uint8_t>(opcode);  // FIN: the server never fragments
  if (payload_bytes < 126) {
    bytes_[1] = static_cast<std::uint8_t>(payload_bytes);
    size_ = 2;
  } else if (payload_bytes <= 0xFFFF) {
    bytes_[1] = 126;
    bytes_[2] = static_cast<std::uint8_t>(payload_bytes >> 8);
    bytes_[3] = static_cast<std::uint8_t>(payload_bytes);
    size_ = 4;
  } else {
    bytes_[1] = 127;
    for (std::size_t i = 0; i < 8; ++i) bytes_[2 + i] = static_cast<std::uint8_t>(payload_bytes >> (56 - 8 * i));
    size_ = 10;
  }
}

std::string closePayload(std::uint16_t code, std::string_view reason) {
  std::string payload;
  payload.reserve(2 + reason.size());
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason.substr(0, 123));  // a control frame carries at most 125 bytes
  return payload;
}

namespace {

std::uint8_t byteAt(const char* p, std::size_t i) { return static_cast<std::uint8_t>(p[i]); }

void unmask(char* p, std::size_t n, const char* key) {
  std::size_t i = 0;
  if (n >= 8) {
    std::uint64_t key8;
    std::memcpy(&key8, key, 4);
    std::memcpy(reinterpret_cast<char*>(&key8) + 4, key, 4);
    for (; i + 8 <= n; i += 8) {
      std::uint64_t word;
      std::memcpy(&word, p + i, 8);
      word ^= key8;
      std::memcpy(p + i, &word, 8);
    }
  }
  for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ key[i & 3]);  // i is a multiple of 8 here
}

// Codes a peer may send (RFC 6455 §7.4, and the IANA registry's 1012-1014).
bool isValidPeerCloseCode(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

}  // namespace

FrameError FrameParser::feed(char* data, std::size_t size, FrameSink& sink) {
  if (stopped_) return FrameError::None;
  char* p = data;
  std::size_t n = size;
  if (buffers_ && !buffers_->pending.empty()) {
    buffers_->pending.append(data, size);
    p = buffers_->pending.data();
    n = buffers_->pending.size();
  }
  FrameError error = FrameError::None;
  std::size_t used = 0;
  while (!stopped_) {
    std::size_t step = parseOne(p + used, n - used, sink, error);
    if (error != FrameError::None) stopped_ = true;
    if (step == 0) break;
    used += step;
  }
  if (stopped_) {
    buffers_.reset();
    return error;
  }
  if (p != data) {
    buffers_->pending.erase(0, used);
  } else if (used < n) {
    buffers().pending.assign(data + used, n - used);
  }
  // Nothing waits: an idle socket holds no buffers.
  if (buffers_ && buffers_->pending.empty() && buffers_->message.empty()) buffers_.reset();
  return FrameError::None;
}

std::size_t FrameParser::parseOne(char* p, std::size_t n, FrameSink& sink, FrameError& error) {
  if (n < 2) return 0;
  const std::uint8_t b0 = byteAt(p, 0), b1 = byteAt(p, 1);
  const bool fin = b0 & 0x80;
  const auto opcode = static_cast<Opcode>(b0 & 0x0F);
  const bool control = b0 & 0x08;
  const bool masked = b1 & 0x80;
  // No extension is negotiated, so the reserved bits must be clear; clients must mask.
  if ((b0 & 0x70) || !masked) {
    error = FrameError::Protocol;
    return 0;
  }
  if (control) {
    if ((opcode != Opcode::Close && opcode != Opcode::Ping && opcode != Opcode::Pong) || !fin || (b1 & 0x7F) > 125) {
      error = FrameError::Protocol;
      return 0;
    }
  } else {
    bool valid = opcode == Opcode::Continuation ? in_message_
                                                : (opcode == Opcode::Text || opcode == Opcode::Binary) && !in_message_;
    if (!valid) {
      error = FrameError::Protocol;
      return 0;
    }
  }

  std::size_t header = 2;
  std::uint64_t length = b1 & 0x7F;
  if (length == 126) {
    if (n < 4) return 0;
    length = (std::uint64_t{byteAt(p, 2)} << 8) | byteAt(p, 3);
    header = 4;
  } else if (length == 127) {
    if (n < 10) return 0;
    length = 0;
    for (std::size_t i = 0; i < 8; ++i) length = (length << 8) | byteAt(p, 2 + i);
    if (length >> 63) {
      error = FrameError::Protocol;
      return 0;
    }
    header = 10;
  }
  // Refuse an oversized message from its header, before buffering any of it.
  if (!control) {
    std::uint64_t total = length + (opcode == Opcode::Continuation && buffers_ ? buffers_->message.size() : 0);
    if (total > max_message_) {
      error = FrameError::TooBig;
      return 0;
    }
  }
  header += 4;  // the masking key
  if (n < header || n - header < length) return 0;

  char* payload = p + header;
  unmask(payload, length, payload - 4);
  std::string_view view(payload, length);
  switch (opcode) {
    case Opcode::Ping:
      sink.onPing(view);
      break;
    case Opcode::Pong:
      break;  // the server sends no pings of its own: nothing to match
    case Opcode::Close: {
      stopped_ = true;
      if (length == 1) {
        error = FrameError::Protocol;
        break;
      }
      std::optional<std::uint16_t> code;
      if (length >= 2) {
        code = static_cast<std::uint16_t>((byteAt(payload, 0) << 8) | byteAt(payload, 1));
        if (!isValidPeerCloseCode(*code)) {
          error = FrameError::Protocol;
          break;
        }
        if (!isValidUtf8(view.substr(2))) {
          error = FrameError::InvalidUtf8;
          break;
        }
      }
      sink.onPeerClose(code);
      break;
    }
    case Opcode::Text:
    case Opcode::Binary:
      if (fin) {
        deliver(opcode == Opcode::Binary, view, sink, error);
      } else {
        in_message_ = true;
        message_binary_ = opcode == Opcode::Binary;
        buffers().message.assign(view);
      }
      break;
    case Opcode::Continuation:
      buffers().message.append(view);
      if (fin) {
        in_message_ = false;
        deliver(message_binary_, buffers_->message, sink, error);
        buffers_->message.clear();  // feed() drops the buffers once nothing waits
      }
      break;
  }
  return error == FrameError::None ? header + length : 0;
}

void FrameParser::deliver(bool binary, std::string_view payload, FrameSink& sink, FrameError& error) {
  if (!binary && !isValidUtf8(payload)) {
    error = FrameError::InvalidUtf8;
    return;
  }
  sink.onMessage(binary, payload);
}

}  // namespace sg::net::ws
