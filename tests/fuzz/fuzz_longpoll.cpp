// The two things a long-poll request brings that the server parses: a POST body
// (splitBatch, ndjson or not) and a session token (LongPollTokens::verify). A batch has at
// most 100 messages, no empty one, text ones as they came, binary ones decoded from
// base64; a token verifies only when it is exactly one the server signed for that address,
// and a signed token carrying any user id (taken from the input) verifies to its claims.
#include "fuzz_support.hpp"

#include "protocol/longpoll_token.hpp"
#include "protocol/phoenix_longpoll.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sg::protocol;
  std::string_view input = sg::fuzz::view(data, size);

  for (bool ndjson : {true, false}) {
    auto parts = longpoll::splitBatch(input, ndjson);
    if (!parts) continue;
    FUZZ_CHECK(parts->size() <= longpoll::kMaxBatch);
    if (!ndjson) FUZZ_CHECK(parts->size() == 1 && (*parts)[0].data == input && !(*parts)[0].binary);
    for (const auto& part : *parts) {
      if (!ndjson) break;
      FUZZ_CHECK(!part.binary ? !part.data.empty() && (part.data[0] == '[' || part.data[0] == '{') : true);
      FUZZ_CHECK(part.binary || input.find(part.data) != std::string_view::npos);
    }
  }

  constexpr std::int64_t now = 1'800'000'000;
  LongPollTokens tokens("fuzz-server-key", "node1");
  LongPollClaims claims{"node1", 1, "session-id", std::string(input.substr(0, 64)), now + 30};
  auto signed_token = tokens.sign(claims, "198.51.100.7");
  auto back = tokens.verify(signed_token, "198.51.100.7", now);
  FUZZ_CHECK(back && back->user_id == claims.user_id && back->session_id == claims.session_id && back->shard == 1);
  FUZZ_CHECK(!tokens.verify(signed_token, "198.51.100.8", now));

  auto presented = tokens.verify(input, "198.51.100.7", now);
  FUZZ_CHECK(!presented || input == signed_token);
  if (!LongPollTokens::looksLikeToken(input)) FUZZ_CHECK(!presented && presented.error() == LongPollTokenError::Malformed);
  return 0;
}
