#pragma once
// Token buckets: `rate` tokens per second up to `burst`. One refill rule for every bucket
// in the server (per socket, per key in auth::RateLimiter, the log throttle).
#include <algorithm>
#include <chrono>

namespace sg {

// `tokens` after `elapsed` at `rate_per_s`, capped at `burst`; a clock that stepped back
// (elapsed < 0) grants nothing.
inline double refillTokens(double tokens, double burst, double rate_per_s, std::chrono::duration<double> elapsed) {
  return std::min(burst, tokens + std::max(0.0, elapsed.count()) * rate_per_s);
}

// A bucket as a plain value. Not thread-safe; for state that one thread owns (a socket's
// inbound message budget) or that its owner locks.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket(double rate_per_s, double burst, Clock::time_point now)
      : rate_(static_cast<float>(rate_per_s)), burst_(static_cast<float>(burst)), tokens_(burst_), updated_(now) {}

  bool take(Clock::time_point now) {
    tokens_ = refillTokens(tokens_, burst_, rate_, now - updated_);
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
