#include "http/request.hpp"

#include "core/text.hpp"
#include "http/query_grammar.hpp"

#include <boost/url/parse_query.hpp>

#include <algorithm>
#include <cctype>

namespace sg::http {

namespace {

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;  // the query grammar allowed only hex digits after '%'
}

// One name or value of a query the grammar accepted (every '%' starts a valid escape),
// percent-decoded, with '+' as a space (as browsers' URLSearchParams, forms and GraphQL
// GET clients encode it).
std::string decoded(std::string_view s) {
  // Most are plain. (Two finds: each is a memchr, where find_first_of tests every byte
  // against the set in turn.)
  if (s.find('%') == std::string_view::npos && s.find('+') == std::string_view::npos) return std::string(s);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      out.push_back(static_cast<char>(hexDigit(s[i + 1]) * 16 + hexDigit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

}  // namespace

std::optional<QueryParams> parseQuery(std::string_view query) {
  QueryParams out;
  if (query.empty()) return out;
  // The grammar (RFC 3986 query characters, well-formed escapes): isQueryText accepts
  // what Boost.URL accepts (tests/unit/http/query_grammar_test.cpp), in a pass over a
  // table; a query it refuses is still judged by Boost.URL, so that the verdict is its.
  // In 1.81 even parse_query measures the query again with strlen (boostorg/url#757; the
  // fuzz targets caught it reading past a query inside a larger buffer), so it is given a
  // copy that ends at a NUL, kept per thread. Its params views are not used either: they
  // decode into strings of their own. Splitting is simple once the grammar holds:
  // parameters on '&', a name up to the first '=', which a value follows if present.
  if (!isQueryText(query)) {
    thread_local std::string terminated;
    terminated.assign(query);
    if (!boost::urls::parse_query(boost::urls::string_view(terminated.data(), terminated.size()))) return std::nullopt;
  }
  // One parameter more than there are '&': counted with find (memchr), as std::count
  // looked at every byte in turn.
  std::size_t params = 1;
  for (auto amp = query.find('&'); amp != std::string_view::npos; amp = query.find('&', amp + 1)) ++params;
  out.reserve(params);
  while (true) {
    auto amp = query.find('&');
    auto param = query.substr(0, amp);
    auto eq = param.find('=');
    out.emplace_back(decoded(param.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : decoded(param.substr(eq + 1)));
    if (amp == std::string_view::npos) return out;
    query.remove_prefix(amp + 1);
  }
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  return headers.find(name);
}

const std::string* Request::param(std::string_view name) const {
  for (const auto& [key, value] : query)
    if (key == name) return &value;
  return nullptr;
}

}  // namespace sg::http
