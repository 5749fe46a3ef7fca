#include "graphql/errors.hpp"

#include <boost/assert/source_location.hpp>

#include <stdexcept>

namespace sg::graphql {

boost::json::object toJson(const Error& error) {
  boost::json::object out;
  out["message"] = error.message;
  if (!error.locations.empty()) {
    boost::json::array locations;
    for (const auto& l : error.locations) locations.push_back(boost::json::object{{"line", l.line}, {"column", l.column}});
    out["locations"] = std::move(locations);
  }
  if (!error.path.empty()) out["path"] = error.path;
  if (!error.extensions.empty()) out["extensions"] = error.extensions;
  return out;
}

boost::json::array toJson(const Errors& errors) {
  boost::json::array out;
  out.reserve(errors.size());
  for (const auto& e : errors) out.push_back(toJson(e));
  return out;
}

void throw_exception_from_error(const Errors& errors, const boost::source_location&) {
  throw std::runtime_error(errors.empty() ? std::string("graphql error") : errors.front().message);
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw std::runtime_error(error.message);
}

}  // namespace sg::graphql
