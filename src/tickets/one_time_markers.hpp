#pragma once
// One-time use of token ids (a JWT's `jti`): the first presentation marks the id until
// the token could no longer be accepted anyway; any later one finds the mark. Kept apart
// from the ticket store, so that a full ticket store never reads as "already used".
// Answers through a callback (memory inline; Redis SET NX PX later).
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <string_view>

namespace sg::tickets {

class OneTimeMarkers {
 public:
  // true: first use (now marked); false: seen before. Errc::full / Errc::unavailable when
  // the mark cannot be made: the caller answers server_busy.
  using Done = std::function<void(boost::system::result<bool>)>;
  virtual ~OneTimeMarkers() = default;
  virtual void markFirstUse(std::string_view token_id, std::chrono::system_clock::time_point until, Done done) = 0;
  virtual std::size_t size() const = 0;
};

}  // namespace sg::tickets
