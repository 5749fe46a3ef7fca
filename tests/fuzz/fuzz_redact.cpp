// Redactor::target on any request target: never throws, keeps everything before the query
// as it was, and logs nothing of a parameter that is not on the allowlist. The server reads
// its parameters with parseQuery (everything after the first '?'), so for every parameter
// parseQuery finds whose name is not allowed (`vsn`, and "trace_id" here), its value, and
// its name unless that is a known credential name, must be gone from the redacted text:
// a secret may sit in either ("ticket%3DSECRET=1").
#include "fuzz_support.hpp"

#include "http/request.hpp"
#include "obs/redact.hpp"

#include <boost/url/parse_query.hpp>

#include <string>

namespace {

using namespace sg;

const obs::Redactor& redactor() {
  static const obs::Redactor instance({"session_key"}, {"trace_id"});
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
  // The text may also appear elsewhere in the target (path, other parameters), but
  // redaction must have removed at least this occurrence. Text made only of what the
  // placeholders and separators are made of ("TED", "?[RE") proves nothing.
  auto removed = [&](std::string_view text) {
    if (text.find_first_not_of("[REDACT]=&?#") == std::string_view::npos) return;
    FUZZ_CHECK(fuzz::occurrences(redacted, text) < fuzz::occurrences(target, text));
  };
  for (const auto& [key, value] : *params) {
    auto raw_param = *raw_it++;
    if (redactor().isLoggedParam(key)) continue;
    // The name as written (a credential's name may stay: it says which kind came).
    if (!redactor().isSecretParam(key)) removed(raw_param.key);
    // Only plain values, written as is: an encoded value does not appear in the target
    // as such.
    if (fuzz::isAlnum(value) && raw_param.value == value) removed(value);
  }
  return 0;
}
