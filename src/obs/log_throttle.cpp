#include "obs/log_throttle.hpp"

#include <algorithm>

namespace sg::obs {

bool LogThrottle::allow(std::uint64_t& suppressed) {
  std::lock_guard lock(mutex_);
  if (!bucket_.take(std::chrono::steady_clock::now())) {
    ++dropped_;
    suppressed = 0;
    return false;
  }
  suppressed = dropped_;
  dropped_ = 0;
  return true;
}

LogThrottle& refusalLogThrottle() {
  static LogThrottle throttle(20, 100);
  return throttle;
}

}  // namespace sg::obs
