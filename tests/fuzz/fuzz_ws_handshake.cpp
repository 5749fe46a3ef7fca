// The opening handshake's checks (net/ws_handshake) and the header-list splitter they use
// (http/header_list), on any request headers. Line 1 is the method; every other line is
// "Name: value". Invariants: an accept key exists only for a GET that passed both checks,
// is always 28 base64 characters, and depends only on the trimmed key; isUpgrade and the
// list splitter agree; a split item never has leading or trailing spaces or tabs, and is
// never empty.
#include "fuzz_support.hpp"

#include "http/header_list.hpp"
#include "net/ws_handshake.hpp"

#include <string>

namespace {

bool base64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '=';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sg;
  auto lines = fuzz::split(fuzz::view(data, size));
  if (lines.empty()) return 0;
  http::Request request;
  request.method = std::string(lines[0]);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    auto colon = lines[i].find(':');
    if (colon == std::string_view::npos) continue;
    request.headers.push_back({std::string(lines[i].substr(0, colon)), std::string(lines[i].substr(colon + 1))});
  }

  // Every item the splitter yields is trimmed and not empty.
  for (const auto& h : request.headers) {
    http::anyItemOf(h.value, [](std::string_view item) {
      FUZZ_CHECK(!item.empty());
      FUZZ_CHECK(item.front() != ' ' && item.front() != '\t' && item.back() != ' ' && item.back() != '\t');
      return false;
    });
  }

  bool upgrade = net::ws::isUpgrade(request);
  if (upgrade) FUZZ_CHECK(request.method == "GET");
  auto key = net::ws::acceptKey(request);
  if (key) {
    FUZZ_CHECK(key->size() == 28);
    for (char c : *key) FUZZ_CHECK(base64Char(c));
    // The answer carries the key and the subprotocol verbatim, and ends the header block.
    std::string answer = net::ws::switchingProtocols(*key, "phoenix");
    FUZZ_CHECK(answer.ends_with("\r\n\r\n"));
    FUZZ_CHECK(answer.find(*key) != std::string::npos);
  }
  return 0;
}
