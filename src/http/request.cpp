#include "http/request.hpp"

#include "core/text.hpp"

#include <boost/url/parse_query.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>

namespace sg::http {

std::optional<QueryParams> parseQuery(std::string_view query) {
  // Boost.URL 1.81's parse_query measures its input again with strlen (boostorg/url#757),
  // so a view that does not end at a NUL is read past its end. A copy ends at a NUL
  // exactly where the query ends (and a raw NUL inside fails the query grammar).
  const std::string text(query);
  auto parsed = boost::urls::parse_query(text);
  if (!parsed) return std::nullopt;
  QueryParams out;
  // '+' is a space, as browsers (URLSearchParams, forms) and GraphQL GET clients encode it.
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  boost::urls::params_view params(text, opts);
  for (auto p : params) {
    out.emplace_back(std::string(p.key), p.has_value ? std::string(p.value) : std::string());
  }
  return out;
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
