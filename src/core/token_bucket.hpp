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
    double elapsed = std::chrono::duration<double>(now - updated_).count();
    tokens_ = std::min<double>(burst_, tokens_ + std::max(0.0, elapsed) * rate_);
    updated_ = now;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

 private:
  // rate and burst as floats keep the bucket at 24 bytes (a socket holds one); the count
  // must be a double: a float cannot count down from 2^25 in ones, so a burst that large
  // (limits.message_burst allows up to INT_MAX) would never run dry.
  float rate_, burst_;
  double tokens_;
  Clock::time_point updated_;
};

}  // namespace sg
