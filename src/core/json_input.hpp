#pragma once
// JSON that comes from clients (request bodies, socket messages, query parameters), parsed
// under one policy: nesting bounded (so the parse and any walk of the value stay shallow)
// and every number finite (1e400 parses as infinity, which JSON cannot write back).
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sg {

enum class JsonInputError : std::uint8_t {
  Malformed,  // not JSON, or nested deeper than allowed
  NotFinite,  // a number beyond a double
};

inline constexpr std::size_t kClientJsonDepth = 32;
// What an HTTP error body says of JsonInputError::NotFinite.
inline constexpr std::string_view kNotFiniteMessage = "numbers must be finite (1e400 is not a double)";

// `storage`: where the value's memory comes from (a caller that reads a small body and
// drops it may lend a buffer of its stack); the default heap when null.
boost::system::result<boost::json::value, JsonInputError> parseClientJson(std::string_view text,
                                                                          std::size_t max_depth = kClientJsonDepth,
                                                                          boost::json::storage_ptr storage = {});

// Whether every number in `v` is finite.
bool allFinite(const boost::json::value& v);

}  // namespace sg
