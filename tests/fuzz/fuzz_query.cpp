// parseQuery on any query string: never throws, and what it decodes survives a round trip
// through percent-encoding (so a ticket or CSRF token read from a URL is the one sent).
#include "fuzz_support.hpp"
#include "http/request.hpp"

#include <string>

namespace {

std::string percentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = sg::http::parseQuery(sg::fuzz::view(data, size));
  if (!parsed) return 0;

  sg::http::Request request;
  request.query = *parsed;
  // Request::param answers the first parameter of that name, as the authenticator expects.
  const std::string* first = nullptr;
  for (const auto& [key, value] : request.query) {
    if (key == "ticket") {
      first = &value;
      break;
    }
  }
  FUZZ_CHECK(request.param("ticket") == first);

  std::string encoded;
  for (const auto& [key, value] : *parsed) {
    if (!encoded.empty()) encoded.push_back('&');
    encoded += percentEncode(key) + "=" + percentEncode(value);
  }
  auto again = sg::http::parseQuery(encoded);
  FUZZ_CHECK(again.has_value());
  // An empty query and a single empty parameter both encode to "".
  if (!encoded.empty()) FUZZ_CHECK(*again == *parsed);
  return 0;
}
