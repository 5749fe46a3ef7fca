#pragma once
// Process-wide counters, rendered in Prometheus text format at GET /metrics.
// Relaxed atomics: counts are exact, ordering between counters is not promised.
#include "core/close_reason.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sg::obs {

using Counter = std::atomic<std::uint64_t>;
using Gauge = std::atomic<std::int64_t>;

struct Metrics {
  Counter http_requests{0};
  Counter http_errors{0};            // 4xx/5xx answered
  Gauge connections_open{0};          // WebSocket sessions
  Counter connections_total{0};
  Counter handshakes_accepted{0};
  std::array<Counter, kCloseReasonCount> refusals{};  // handshake refusals by reason
  std::array<Counter, kCloseReasonCount> closes{};    // server-initiated closes by reason
  Counter joins_ok{0};
  Counter joins_error{0};
  Counter messages_in{0};
  Counter messages_out{0};
  Counter broadcasts{0};
  Counter refreshes_ok{0};
  Counter refreshes_failed{0};
  Gauge queued_bytes{0};             // outbound bytes waiting in socket queues

  void refused(CloseReason r) { refusals[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
  void closed(CloseReason r) { closes[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }

  // Extra sources (pubsub deliveries, store sizes) registered at wiring time.
  struct Extra {
    std::string name, help, type;
    std::function<double()> read;
  };
  std::vector<Extra> extras;

  std::string renderPrometheus() const;
};

inline void inc(Counter& c, std::uint64_t n = 1) { c.fetch_add(n, std::memory_order_relaxed); }
inline void add(Gauge& g, std::int64_t n) { g.fetch_add(n, std::memory_order_relaxed); }

}  // namespace sg::obs
