#include "core/json_input.hpp"

#include <boost/json/parse.hpp>

#include <cmath>

namespace sg {
namespace json = boost::json;

bool allFinite(const json::value& v) {  // recursion bounded by the parser's depth limit
  switch (v.kind()) {
    case json::kind::double_: return std::isfinite(v.get_double());
    case json::kind::array:
      for (const auto& item : v.get_array())
        if (!allFinite(item)) return false;
      return true;
    case json::kind::object:
      for (const auto& entry : v.get_object())
        if (!allFinite(entry.value())) return false;
      return true;
    default: return true;
  }
}

boost::system::result<json::value, JsonInputError> parseClientJson(std::string_view text, std::size_t max_depth,
                                                                   json::storage_ptr storage) {
  json::parse_options options;
  options.max_depth = max_depth;
  boost::system::error_code ec;
  auto value = json::parse(text, ec, std::move(storage), options);
  if (ec) return JsonInputError::Malformed;
  if (!allFinite(value)) return JsonInputError::NotFinite;
  return value;
}

}  // namespace sg
