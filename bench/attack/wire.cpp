#include "wire.hpp"

#include <array>

namespace sg::attack {
namespace {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  auto byte = [&](std::size_t k) -> std::uint32_t { return static_cast<std::uint8_t>(in[k]); };
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  if (i + 1 == in.size()) {
    std::uint32_t v = byte(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out += "==";
  } else if (i + 2 == in.size()) {
    std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out += "=";
  }
  return out;
}

}  // namespace

std::string upgradeRequest(std::string_view host, std::string_view target, const std::vector<Header>& extra, Rng& rng) {
  std::string out;
  out.reserve(256 + target.size());
  out.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
  out.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ");
  out.append(base64(rng.bytes(16))).append("\r\n");
  for (const auto& h : extra) out.append(h.name).append(": ").append(h.value).append("\r\n");
  out.append("\r\n");
  return out;
}

std::string clientFrame(std::string_view payload, const FrameSpec& spec, Rng& rng) {
  std::string out;
  out.reserve(payload.size() + 14);
  out.push_back(static_cast<char>((spec.fin ? 0x80 : 0) | ((spec.rsv & 7) << 4) | (spec.opcode & 0x0f)));
  std::uint64_t length = spec.declared_length.value_or(payload.size());
  std::uint8_t mask_bit = spec.masked ? 0x80 : 0;
  if (length < 126) {
    out.push_back(static_cast<char>(mask_bit | length));
  } else if (length <= 0xffff) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(length >> 8));
    out.push_back(static_cast<char>(length & 0xff));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((length >> shift) & 0xff));
  }
  if (!spec.masked) return out.append(payload);
  std::array<char, 4> key{};
  auto r = rng.next();
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<char>((r >> (8 * i)) & 0xff);
  out.append(key.data(), key.size());
  std::size_t start = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < payload.size(); ++i) out[start + i] = static_cast<char>(out[start + i] ^ key[i & 3]);
  return out;
}

std::string textFrame(std::string_view payload, Rng& rng) { return clientFrame(payload, FrameSpec{}, rng); }

std::string closeFrame(std::uint16_t code, Rng& rng) {
  std::string body{static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
  FrameSpec spec;
  spec.opcode = opcode::kClose;
  return clientFrame(body, spec, rng);
}

int ServerFrame::closeCode() const {
  if (payload.size() < 2) return 1005;
  return (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]);
}

std::string ServerFrame::closeReason() const { return payload.size() > 2 ? payload.substr(2) : std::string(); }

Decode decodeServerFrame(std::string_view buffer, std::size_t max_payload, ServerFrame& out, std::size_t& consumed) {
  if (buffer.size() < 2) return Decode::NeedMore;
  auto b0 = static_cast<std::uint8_t>(buffer[0]);
  auto b1 = static_cast<std::uint8_t>(buffer[1]);
  if (b1 & 0x80) return Decode::Bad;  // servers never mask
  std::size_t header = 2;
  std::uint64_t length = b1 & 0x7f;
  if (length == 126) {
    header = 4;
    if (buffer.size() < header) return Decode::NeedMore;
    length = (std::uint64_t{static_cast<std::uint8_t>(buffer[2])} << 8) | static_cast<std::uint8_t>(buffer[3]);
  } else if (length == 127) {
    header = 10;
    if (buffer.size() < header) return Decode::NeedMore;
    length = 0;
    for (std::size_t i = 2; i < 10; ++i) length = (length << 8) | static_cast<std::uint8_t>(buffer[i]);
  }
  if (length > max_payload) return Decode::Bad;
  if (buffer.size() < header + length) return Decode::NeedMore;
  out.opcode = b0 & 0x0f;
  out.fin = (b0 & 0x80) != 0;
  out.payload.assign(buffer.substr(header, length));
  consumed = header + length;
  return Decode::Frame;
}

}  // namespace sg::attack
