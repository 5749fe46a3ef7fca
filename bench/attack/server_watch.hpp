#pragma once
// The server seen from outside: its resident memory sampled all through the run (the
// peak is what the memory bound is checked against), whether it is still alive, and its
// own /metrics counters, read at the end as a cross-check of what the attackers saw.
#include "coro.hpp"
#include "target.hpp"

#include <map>
#include <optional>
#include <string>
#include <sys/types.h>

namespace sg::attack {

class ServerWatch {
 public:
  explicit ServerWatch(pid_t pid) : pid_(pid) {}

  // Samples every `every` until stop().
  asio::awaitable<void> sample(Clock::duration every);
  void stop() { stopping_ = true; }

  pid_t pid() const { return pid_; }
  long peakSampledKib() const { return peak_kib_; }
  long lastKib() const { return last_kib_; }
  std::size_t samples() const { return samples_; }
  // Running, and not a zombie.
  bool alive() const;

 private:
  pid_t pid_;
  bool stopping_ = false;
  long peak_kib_ = 0;
  long last_kib_ = 0;
  std::size_t samples_ = 0;
};

// Prometheus samples by their full name with labels: `sockguard_refusals_total{reason="rate_limited",code="4429"}`.
using MetricsSnapshot = std::map<std::string, double>;
MetricsSnapshot parseMetrics(std::string_view text);
// The `label` value of a sample name (`reason` of the one above: "rate_limited").
std::string labelOf(std::string_view sample, std::string_view label);

asio::awaitable<std::optional<MetricsSnapshot>> fetchMetrics(const Target& target);

}  // namespace sg::attack
