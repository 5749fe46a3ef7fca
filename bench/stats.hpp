#pragma once
// Latency recording for the load generator. A broadcast run yields millions of samples,
// so they go into a log-linear histogram (128 sub-buckets per power of two, i.e. under
// 1 % relative error) of fixed size instead of a vector to sort: recording is an
// increment, and memory does not grow with the run.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstdint>
#include <string>

namespace sg::bench {

class LatencyHistogram {
 public:
  void record(std::int64_t ns) {
    std::uint64_t v = ns < 0 ? 0 : static_cast<std::uint64_t>(ns);  // clock skew cannot happen, but be safe
    ++counts_[indexOf(v)];
    ++total_;
    max_ = std::max(max_, v);
  }

  std::uint64_t count() const { return total_; }
  std::uint64_t maxNs() const { return max_; }

  // The value below which `fraction` (0..1) of the samples fall, within the bucket error.
  std::uint64_t percentileNs(double fraction) const {
    if (total_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(fraction * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(upperBoundOf(i), max_);
    }
    return max_;
  }

  void merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    max_ = std::max(max_, other.max_);
  }

 private:
  static constexpr int kSubBits = 7;
  static constexpr std::uint64_t kSub = 1u << kSubBits;
  // Values below kSub get a bucket each; above, each power of two splits into kSub.
  static constexpr std::size_t kBuckets = (64 - kSubBits + 1) * kSub;

  static std::size_t indexOf(std::uint64_t v) {
    if (v < kSub) return static_cast<std::size_t>(v);
    int msb = 63 - std::countl_zero(v);
    auto shift = static_cast<std::uint64_t>(msb - kSubBits);  // v >= kSub, so msb >= kSubBits
    return static_cast<std::size_t>((shift + 1) * kSub + ((v >> shift) - kSub));
  }
  static std::uint64_t upperBoundOf(std::size_t index) {
    if (index < kSub) return index;
    std::size_t shift = index / kSub - 1;
    std::uint64_t sub = index % kSub + kSub;
    return ((sub + 1) << shift) - 1;
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

// "12.3 ms", "850 us", "2.41 s": latencies span five orders of magnitude in one report.
inline std::string formatDuration(std::uint64_t ns) {
  char out[32];
  if (ns < 1'000'000) std::snprintf(out, sizeof out, "%.0f us", static_cast<double>(ns) / 1e3);
  else if (ns < 1'000'000'000) std::snprintf(out, sizeof out, "%.1f ms", static_cast<double>(ns) / 1e6);
  else std::snprintf(out, sizeof out, "%.2f s", static_cast<double>(ns) / 1e9);
  return out;
}

}  // namespace sg::bench
