// Redactor::target on any request target: never throws, keeps everything before the query
// as it was, and never lets a secret through. The server reads credentials with
// parseQuery (everything after the first '?'), so whatever secret parameter parseQuery
// finds in a target must be gone from the redacted text.
#include "fuzz_support.hpp"

#include "http/request.hpp"
#include "obs/redact.hpp"

#include <boost/url/parse_query.hpp>

#include <string>

namespace {

using namespace sg;

const obs::Redactor& redactor() {
  static const obs::Redactor instance({"session_key"});
  return instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view target = fuzz::view(data, size);
  std::string redacted = redactor().target(target);

  auto q = target.find_first_of("?#");
  FUZZ_CHECK(redacted.substr(0, q) == target.substr(0, q));
  if (!fuzz::targetBeastAccepts(target)) return 0;

  // As net/http_session.cpp builds Request::query.
  auto question = target.find('?');
  if (question == std::string_view::npos) return 0;
  std::string_view query = target.substr(question + 1);
  auto params = http::parseQuery(query);
  if (!params) return 0;
  // The same parameters, as written in the target, to tell plain values from encoded ones.
  // A NUL-terminated copy: Boost.URL 1.81's parse_query reads up to a NUL (see parseQuery).
  const std::string query_text(query);
  auto raw = boost::urls::parse_query(query_text);
  FUZZ_CHECK(raw.has_value() && raw->size() == params->size());
  auto raw_it = raw->begin();
  for (const auto& [key, value] : *params) {
    std::string_view raw_value = (*raw_it++).value;
    if (!redactor().isSecretParam(key)) continue;
    // Only plain values, written as is: "[REDACTED]" itself contains short words, and an
    // encoded value does not appear in the target as such.
    if (!fuzz::isAlnum(value) || raw_value != value) continue;
    if (std::string_view(obs::kRedacted).find(value) != std::string_view::npos) continue;
    // The value may also appear elsewhere in the target (path, other parameters), but
    // redaction must have removed at least this occurrence.
    FUZZ_CHECK(fuzz::occurrences(redacted, value) < fuzz::occurrences(target, value));
  }
  return 0;
}
