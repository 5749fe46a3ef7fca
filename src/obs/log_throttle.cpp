#include "obs/log_throttle.hpp"

#include <algorithm>

namespace sg::obs {

bool LogThrottle::allow(std::uint64_t& suppressed) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - updated_).count() * rate_);
  updated_ = now;
  if (tokens_ < 1.0) {
    ++dropped_;
    suppressed = 0;
    return false;
  }
  tokens_ -= 1.0;
  suppressed = dropped_;
  dropped_ = 0;
  return true;
}

LogThrottle& refusalLogThrottle() {
  static LogThrottle throttle(20, 100);
  return throttle;
}

}  // namespace sg::obs
