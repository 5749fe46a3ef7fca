#pragma once
// The printed figures. Each phase prints its lines as soon as it ends, in one layout:
// a label column, the figures, and the target they are read against. Nothing here
// decides pass or fail: targets are printed next to figures, never asserted.
#include "fleet.hpp"
#include "graphql_http.hpp"
#include "http_publisher.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <sys/types.h>

namespace sg::bench {

// One figure line: a label column, the figures, and (when given) the target they are
// read against. Every printed figure of the bench and the attack run goes through it.
void printLine(std::string_view label, const std::string& figures, std::string_view target = {});
// "p50 12.0 ms  p99 25.7 ms  max 35.9 ms", or "no samples".
std::string latencyLine(const LatencyHistogram& h);

// CPU used by the server and by this generator over a stretch of wall time, so a reader
// can tell which side of the socket was the bottleneck.
struct CpuSample {
  std::chrono::steady_clock::time_point wall;
  double server_s = 0;
  double loadgen_s = 0;
};
CpuSample sampleCpu(pid_t server_pid);
// The same over several server processes (the nodes of a cluster), summed.
CpuSample sampleCpu(const std::vector<pid_t>& server_pids);

struct CpuShare {
  double server_pct = 0;  // of one core
  double loadgen_pct = 0;
  double server_s = 0;  // CPU seconds over the stretch
  double loadgen_s = 0;
};
CpuShare cpuBetween(const CpuSample& from, const CpuSample& to);

// The loadgen's sections. Each heading starts with the run's scheme ("ws://" or
// "wss://"), so that both runs of one bench can be told apart and compared.
// `tls_session` describes the negotiated TLS (empty for ws://).
// `joined_by` names what "joined" means ("join", or "connection_init" for graphql-transport-ws).
void printConnect(std::string_view scheme, const ConnectStats& stats, std::size_t concurrency, CpuShare cpu,
                  const std::string& tls_session, std::string_view joined_by = "join");
void printMemory(std::string_view scheme, std::optional<long> before_kib, std::optional<long> after_kib,
                 std::size_t joined);

struct BroadcastFigures {
  std::string_view scheme;
  std::size_t subscribers = 0;
  std::string_view topic;  // the topic published to, when the receive window names another
  std::uint64_t planned = 0;
  double rate_per_s = 0;
  const PublishResult* published = nullptr;
  const ReceiveStats* received = nullptr;
  std::size_t joins_refused = 0;
  int drain_timeout_s = 0;  // how long late deliveries were waited for
  CpuShare cpu;
};
void printBroadcast(const BroadcastFigures& figures);

// GraphQL over HTTP: one document under a keep-alive query load.
struct QueryLoadFigures {
  std::string_view name;  // "accountsMe (signed in)"
  std::size_t clients = 0;
  std::size_t request_bytes = 0;
  const QueryLoadResult* result = nullptr;
  CpuShare cpu;
};
void printQueryLoad(const QueryLoadFigures& figures);

// The engine's subscription executions during a GraphQL fan-out phase (the server's
// sockguard_graphql_event_executions_total); nullopt when /metrics could not be read.
void printExecutions(std::optional<double> before, std::optional<double> after, std::uint64_t broadcasts,
                     std::size_t selections);

void printEnd(std::string_view scheme, std::size_t requested, std::size_t open_at_end, std::size_t dropped,
              const std::map<std::string, std::size_t>& drop_reasons, std::uint64_t server_notices);

}  // namespace sg::bench
