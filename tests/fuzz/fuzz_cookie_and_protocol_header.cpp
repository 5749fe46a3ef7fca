// The two handshake headers that carry credentials: Cookie (cookieValue) and
// Sec-WebSocket-Protocol (phoenixProtocolToken, the phoenix 1.8 authToken).
//
// Input lines: line 0 is a Cookie value, line 1 a Sec-WebSocket-Protocol value, any
// further line "Name: value" another header (a second Cookie or protocol header too).
#include "fuzz_support.hpp"

#include "auth/handshake_authenticator.hpp"
#include "auth/session_lookup.hpp"
#include "core/text.hpp"
#include "http/cookies.hpp"

#include <sodium.h>

#include <string>

namespace {

using namespace sg;
constexpr std::string_view kPrefix = "base64url.bearer.phx.";

std::string base64url(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);
  return out;
}

// The bearer item the client offered: the first item with the prefix, in header order.
std::optional<std::string> offeredItem(const http::Request& request) {
  for (const auto& h : request.headers) {
    if (!sg::iequals(h.name, "Sec-WebSocket-Protocol")) continue;
    for (auto item : fuzz::split(h.value, ',')) {
      // Optional whitespace around list items (and stray line ends) is not part of them.
      auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
      while (!item.empty() && blank(item.front())) item.remove_prefix(1);
      while (!item.empty() && blank(item.back())) item.remove_suffix(1);
      if (item.starts_with(kPrefix)) return std::string(item.substr(kPrefix.size()));
    }
  }
  return std::nullopt;
}

void checkCookie(const http::Request& request) {
  auto session = http::cookieValue(request, auth::kSessionCookie);
  if (!session) return;
  FUZZ_CHECK(session->find(';') == std::string::npos);
  std::string pair = std::string(auth::kSessionCookie) + "=" + *session;
  bool seen = false;
  for (const auto& h : request.headers) seen = seen || (sg::iequals(h.name, "Cookie") && h.value.find(pair) != std::string::npos);
  FUZZ_CHECK(seen);
}

void checkProtocolToken(const http::Request& request) {
  auto token = auth::phoenixProtocolToken(request);
  auto item = offeredItem(request);
  if (!token) return;
  FUZZ_CHECK(item.has_value());
  // Both alphabets and stripped padding are accepted; libsodium refuses non-canonical
  // trailing bits, so the item is exactly the token re-encoded.
  std::string normalized = *item;
  for (char& c : normalized) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!normalized.empty() && normalized.back() == '=') normalized.pop_back();
  FUZZ_CHECK(base64url(*token) == normalized);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto lines = fuzz::split(fuzz::view(data, size));
  http::Request request;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (i == 0) request.headers.push_back({"Cookie", std::string(line)});
    else if (i == 1) request.headers.push_back({"Sec-WebSocket-Protocol", std::string(line)});
    else {
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      while (value.starts_with(' ')) value.remove_prefix(1);
      request.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
    }
  }
  checkCookie(request);
  checkProtocolToken(request);
  return 0;
}
