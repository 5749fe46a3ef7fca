#pragma once
// A GraphQL error as the response format carries it (spec §7.1.2): a message, the source
// locations it refers to, the response path of the field it came from (execution only)
// and extensions (e.g. {"code": "UNAUTHENTICATED"}).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace boost {
struct source_location;
}

namespace sg::graphql {

// 1-based line and column (columns count bytes; documents are mostly ASCII).
struct Location {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  friend bool operator==(const Location&, const Location&) = default;
};

struct Error {
  std::string message;
  std::vector<Location> locations;
  boost::json::array path;  // empty: not a field error
  boost::json::object extensions;
};

using Errors = std::vector<Error>;

// {"message", "locations"?, "path"?, "extensions"?}
boost::json::object toJson(const Error& error);
boost::json::array toJson(const Errors& errors);

// For boost::system::result<T, Errors>::value() (found by argument-dependent lookup).
[[noreturn]] void throw_exception_from_error(const Errors& errors, const boost::source_location& where);
[[noreturn]] void throw_exception_from_error(const Error& error, const boost::source_location& where);

}  // namespace sg::graphql
