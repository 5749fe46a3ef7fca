#include "net/ws_handshake.hpp"

#include "core/text.hpp"
#include "http/field_name.hpp"
#include "http/header_list.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <cstring>
#include <memory>

namespace sg::net::ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool listsToken(const http::Request& request, std::string_view header, std::string_view token) {
  return http::anyListItem(request, header, [&](std::string_view item) { return http::sameFieldName(item, token); });
}

// A Sec-WebSocket-Key is 16 random bytes in base64: 24 characters ending "==".
bool wellFormedKey(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  std::array<unsigned char, 18> out{};
  return EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(key.data()), 24) == 18;
}

// SHA-1 of a then b. EVP_Digest would allocate and free a context on every call, and
// OpenSSL 3's one-shot SHA1() also looks the algorithm up every time: the algorithm is
// fetched once, and each thread keeps one context that EVP_DigestInit_ex2 resets.
bool sha1(std::string_view a, std::string_view b, std::array<unsigned char, SHA_DIGEST_LENGTH>& out) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned int size = 0;
  return md != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx.get(), a.data(), a.size()) == 1 && EVP_DigestUpdate(ctx.get(), b.data(), b.size()) == 1 &&
         EVP_DigestFinal_ex(ctx.get(), out.data(), &size) == 1 && size == out.size();
}

}  // namespace

bool isUpgrade(const http::Request& request) {
  return request.method == "GET" && listsToken(request, "Connection", "upgrade") &&
         listsToken(request, "Upgrade", "websocket");
}

boost::system::result<AcceptKey, HandshakeError> acceptKey(const http::Request& request) {
  auto version = request.header("Sec-WebSocket-Version");
  if (!version || trim(*version) != "13") return HandshakeError::UnsupportedVersion;
  auto key = request.header("Sec-WebSocket-Key");
  if (!key || !wellFormedKey(trim(*key))) return HandshakeError::BadRequest;
  // The key and the GUID are hashed in two updates: no string to join them in.
  std::string_view k = trim(*key);
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  if (!sha1(k, kGuid, digest)) return HandshakeError::BadRequest;  // no SHA-1 in this OpenSSL: no upgrade can be answered
  std::array<unsigned char, 32> encoded{};  // 28 characters and EVP_EncodeBlock's NUL
  int n = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(digest.size()));
  if (n != static_cast<int>(AcceptKey::kSize)) return HandshakeError::BadRequest;  // cannot happen: 20 bytes are 28
  AcceptKey out;
  std::memcpy(out.text_.data(), encoded.data(), AcceptKey::kSize);
  return out;
}

void switchingProtocols(std::string& out, std::string_view accept_key, std::string_view subprotocol) {
  constexpr std::string_view head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nServer: sockguard\r\n"
      "Sec-WebSocket-Accept: ";
  constexpr std::string_view protocol = "Sec-WebSocket-Protocol: ";
  out.clear();
  // Sized once: appended piece by piece, it grew (and moved) twice.
  out.reserve(head.size() + accept_key.size() + 2 + (subprotocol.empty() ? 0 : protocol.size() + subprotocol.size() + 2) +
              2);
  out += head;
  out += accept_key;
  out += "\r\n";
  if (!subprotocol.empty()) {
    out += protocol;
    out += subprotocol;
    out += "\r\n";
  }
  out += "\r\n";
}

std::string switchingProtocols(std::string_view accept_key, std::string_view subprotocol) {
  std::string out;
  switchingProtocols(out, accept_key, subprotocol);
  return out;
}

}  // namespace sg::net::ws
