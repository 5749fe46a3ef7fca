#pragma once
// Process-wide counters, rendered in Prometheus text format at GET /metrics.
// Relaxed atomics: counts are exact, ordering between counters is not promised.
#include "core/close_reason.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::obs {

using Counter = std::atomic<std::uint64_t>;
using Gauge = std::atomic<std::int64_t>;

// The calling thread's stripe, assigned round-robin at its first call.
std::size_t threadStripe();

// A number that shard threads change on every delivered message. One shared atomic would
// bounce its cache line between cores on each change; here each thread adds to a line of
// its own and a reader sums them.
template <typename T>
class Striped {
 public:
  static constexpr std::size_t kStripes = 16;
  void add(T n) { stripes_[threadStripe() % kStripes].value.fetch_add(n, std::memory_order_relaxed); }
  T load() const {
    T sum = 0;
    for (const auto& s : stripes_) sum += s.value.load(std::memory_order_relaxed);
    return sum;
  }

 private:
  struct alignas(64) Stripe {
    std::atomic<T> value{0};
  };
  std::array<Stripe, kStripes> stripes_{};
};
using StripedCounter = Striped<std::uint64_t>;
using StripedGauge = Striped<std::int64_t>;

struct Metrics {
  Counter http_requests{0};
  Counter http_errors{0};            // 4xx/5xx answered
  Gauge connections_open{0};          // WebSocket and long-poll sessions
  Counter connections_total{0};
  Counter handshakes_accepted{0};
  std::array<Counter, kCloseReasonCount> refusals{};  // handshake refusals by reason
  std::array<Counter, kCloseReasonCount> closes{};    // server-initiated closes by reason
  Counter joins_ok{0};
  Counter joins_error{0};
  StripedCounter messages_in;
  StripedCounter messages_out;
  StripedCounter socket_writes;       // write system calls on WebSocket sockets (frames batch into them)
  Counter broadcasts{0};
  Counter refreshes_ok{0};
  Counter refreshes_failed{0};
  StripedGauge queued_bytes;          // outbound bytes waiting in socket queues

  void refused(CloseReason r) { refusals[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
  void closed(CloseReason r) { closes[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }

  // Extra sources (pubsub deliveries, store sizes) registered at wiring time.
  struct Extra {
    std::string name, help, type;
    std::function<double()> read;
    std::string labels = {};  // e.g. node="a" (Prometheus label syntax, without braces); empty = none
  };
  std::vector<Extra> extras;

  std::string renderPrometheus() const;
};

// A label value for the text format: backslash, double quote and newline escaped.
std::string prometheusLabelValue(std::string_view value);

inline void inc(Counter& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
inline void add(Gauge& g, std::int64_t n) { g.fetch_add(n, std::memory_order_relaxed); }
inline void inc(StripedCounter& c, std::uint64_t n = 1) { c.add(n); }
inline void add(StripedGauge& g, std::int64_t n) { g.add(n); }

}  // namespace sg::obs
