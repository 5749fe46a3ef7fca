#pragma once
// Why an application operation did not happen, as every API tells it: the HTTP status,
// the error code (`invalid_credentials`, `email_taken`, `rate_limited`, `server_busy`,
// ...), a sentence, and when to retry. REST answers it as a JSON error body, GraphQL as
// an error with extensions.code.
#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sg::app {

struct ApiFailure {
  int status = 500;
  std::string_view code;  // a static name
  std::string message;
  std::optional<int> retry_after_s;
};

template <typename T>
using ApiResult = boost::system::result<T, ApiFailure>;

inline ApiFailure apiFailure(int status, std::string_view code, std::string message,
                             std::optional<int> retry_after_s = std::nullopt) {
  return ApiFailure{status, code, std::move(message), retry_after_s};
}

}  // namespace sg::app
