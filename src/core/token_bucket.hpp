#pragma once
// A token bucket as a plain value: `rate` tokens per second up to `burst`. Not
// thread-safe; for state that one thread owns (a socket's inbound message budget).
#include <algorithm>
#include <chrono>

namespace sg {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket(double rate_per_s, double burst, Clock::time_point now)
      : rate_(static_cast<float>(rate_per_s)), burst_(static_cast<float>(burst)), tokens_(burst_), updated_(now) {}

  bool take(Clock::time_point now) {
    float elapsed = std::chrono::duration<float>(now - updated_).count();
    tokens_ = std::min(burst_, tokens_ + std::max(0.0f, elapsed) * rate_);
    updated_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  float rate_, burst_, tokens_;  // float: a socket keeps a few of these; precision is ample
  Clock::time_point updated_;
};

}  // namespace sg
