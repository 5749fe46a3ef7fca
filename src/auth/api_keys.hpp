#pragma once
// Server API keys for backends (Authorization: Bearer <key>). Keys are held as SHA-256
// digests and compared in constant time, against every key, so neither timing nor an
// early exit tells how much of a guess was right.
#include "http/request.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::auth {

class ApiKeys {
 public:
  explicit ApiKeys(const std::vector<std::string>& keys);
  bool empty() const { return digests_.empty(); }
  bool verify(std::string_view presented) const;

 private:
  std::vector<std::array<unsigned char, 32>> digests_;
};

// The token of an "Authorization: Bearer <token>" header, if the request has one.
std::optional<std::string_view> bearerToken(const http::Request& request);

}  // namespace sg::auth
