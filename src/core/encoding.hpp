#pragma once
// The byte encodings and digests security code needs, once: base64url (RFC 4648 §5),
// random tokens, SHA-256. Every credential reader and writer uses these, so that a
// decoder cannot be strict in one place and lenient in another.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sg {

using Sha256 = std::array<unsigned char, 32>;

// base64url without padding.
std::string base64urlEncode(std::string_view bytes);
// Standard base64 (RFC 4648 §4) with padding, what atob() and Buffer read: for bytes that
// travel inside JSON (binary broadcasts to V1 sockets).
std::string base64Encode(std::string_view bytes);
// Strict: the URL-safe alphabet only, no padding, canonical; nullopt otherwise.
std::optional<std::string> base64urlDecode(std::string_view text);
// Whether every byte is of the URL-safe alphabet (A-Z a-z 0-9 - _); in a time that
// depends on the length only.
bool isBase64url(std::string_view text);
// Either alphabet (the phoenix client's authToken uses btoa, others base64url), '='
// padding dropped; otherwise as strict as base64urlDecode.
std::optional<std::string> base64EitherDecode(std::string_view text);

// `bytes` random bytes (OpenSSL's CSPRNG, drawn in blocks) as base64url: 32 bytes make 43
// characters.
std::string randomToken(std::size_t bytes = 32);

Sha256 sha256(std::string_view data);
std::string sha256Hex(std::string_view data);

}  // namespace sg
