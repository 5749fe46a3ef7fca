#pragma once
// Keeps a flood from filling the disk through the log: lines about refusals pass at up to
// `per_second` (with a burst), the rest are counted and reported in one line when logging
// resumes. Metrics still count every refusal exactly; only the log lines are thinned.
#include "core/token_bucket.hpp"

#include <chrono>
#include <cstdint>
#include <mutex>

namespace sg::obs {

class LogThrottle {
 public:
  LogThrottle(double per_second, double burst) : bucket_(per_second, burst, std::chrono::steady_clock::now()) {}

  // True when this line may be written. `suppressed` receives how many lines were
  // dropped since the last one that passed (report it), else 0.
  bool allow(std::uint64_t& suppressed);

 private:
  std::mutex mutex_;
  TokenBucket bucket_;
  std::uint64_t dropped_ = 0;
};

// The process-wide throttle for refusal log lines (handshakes, HTTP 4xx, audit refusals).
LogThrottle& refusalLogThrottle();

}  // namespace sg::obs
