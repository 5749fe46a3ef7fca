#include "report.hpp"

#include "proc_stats.hpp"

#include <fmt/core.h>

namespace sg::bench {
namespace {

using Seconds = std::chrono::duration<double>;

void line(std::string_view label, const std::string& figures, std::string_view target = {}) {
  printLine(label, figures, target);
}

void printCpu(CpuShare cpu) {
  line("cpu (% of 1 core)", fmt::format("server {:.0f} %, loadgen {:.0f} %", cpu.server_pct, cpu.loadgen_pct));
}

void printReasons(std::string_view label, const std::map<std::string, std::size_t>& reasons) {
  std::size_t shown = 0;
  for (const auto& [reason, count] : reasons) {
    if (++shown > 5) break;  // the first few say enough
    line(shown == 1 ? label : "", fmt::format("{} x {}", count, reason));
  }
}

}  // namespace

std::string latencyLine(const LatencyHistogram& h) {
  if (h.count() == 0) return "no samples";
  return fmt::format("p50 {:<10} p99 {:<10} max {}", formatDuration(h.percentileNs(0.50)),
                     formatDuration(h.percentileNs(0.99)), formatDuration(h.maxNs()));
}

void printLine(std::string_view label, const std::string& figures, std::string_view target) {
  if (target.empty()) fmt::print("  {:<18} {}\n", label, figures);
  else fmt::print("  {:<18} {:<58} target: {}\n", label, figures, target);
}

CpuSample sampleCpu(pid_t server_pid) {
  return {std::chrono::steady_clock::now(), readCpuSeconds(server_pid).value_or(0), readCpuSeconds(0).value_or(0)};
}

CpuSample sampleCpu(const std::vector<pid_t>& server_pids) {
  CpuSample sample{std::chrono::steady_clock::now(), 0, readCpuSeconds(0).value_or(0)};
  for (auto pid : server_pids) sample.server_s += readCpuSeconds(pid).value_or(0);
  return sample;
}

CpuShare cpuBetween(const CpuSample& from, const CpuSample& to) {
  double wall = Seconds(to.wall - from.wall).count();
  if (wall <= 0) return {};
  double server = to.server_s - from.server_s;
  double loadgen = to.loadgen_s - from.loadgen_s;
  return {100 * server / wall, 100 * loadgen / wall, server, loadgen};
}

void printConnect(std::string_view scheme, const ConnectStats& stats, std::size_t concurrency, CpuShare cpu,
                  const std::string& tls_session, std::string_view joined_by) {
  double elapsed = Seconds(stats.finished - stats.started).count();
  fmt::print("== {} connections: {}WebSocket upgrade + {}, {} in flight\n", scheme,
             tls_session.empty() ? "" : "TLS handshake + ", joined_by, concurrency);
  if (!tls_session.empty()) line("tls", tls_session);
  line("joined", fmt::format("{} of {} ({} failed)", stats.joined, stats.requested, stats.failed),
       fmt::format("{} joined connections held", stats.requested));
  line("rate", elapsed > 0 ? fmt::format("{:.0f} /s over {:.2f} s", static_cast<double>(stats.joined) / elapsed, elapsed)
                           : std::string("n/a"));
  line("connect+join", latencyLine(stats.latency));
  printCpu(cpu);
  if (stats.joined > 0) {
    // Per socket, so ws:// and wss:// (where the TLS handshake dominates) compare at any rate.
    const auto joined = static_cast<double>(stats.joined);
    line("cpu per connection", fmt::format("server {:.0f} us, loadgen {:.0f} us", 1e6 * cpu.server_s / joined,
                                           1e6 * cpu.loadgen_s / joined));
  }
  printReasons("failures", stats.failures);
}

void printMemory(std::string_view scheme, std::optional<long> before_kib, std::optional<long> after_kib,
                 std::size_t joined) {
  fmt::print("== {} memory: server RSS with {} idle joined connections\n", scheme, joined);
  if (!before_kib || !after_kib || joined == 0) {
    line("server RSS", "not available (is --server-pid right?)");
    return;
  }
  // KiB figures and counts stay far below 2^53, so every one converts to double exactly.
  const auto before = static_cast<double>(*before_kib);
  const auto after = static_cast<double>(*after_kib);
  line("server RSS", fmt::format("before {:.1f} MiB, after {:.1f} MiB (+{:.1f} MiB)", before / 1024.0,
                                 after / 1024.0, (after - before) / 1024.0));
  // The target is the plain socket's; under TLS, OpenSSL's own state per session (SSL
  // object, traffic keys, cipher contexts: ~13 KiB with OpenSSL 3.0) comes on top.
  line("per connection", fmt::format("{:.2f} KiB", (after - before) / static_cast<double>(joined)),
       scheme == "wss://" ? "none for wss:// (ws://: <= 8 KiB, TLS session state on top)"
                          : "<= 8 KiB per idle joined connection");
}

void printBroadcast(const BroadcastFigures& f) {
  const PublishResult& pub = *f.published;
  const ReceiveStats& rx = *f.received;
  fmt::print("== {} broadcast: {} subscribers on {}, {} broadcasts at {:.0f} /s (offers {:.0f} deliveries/s)\n",
             f.scheme, f.subscribers, f.topic.empty() ? std::string_view(rx.topic) : f.topic, f.planned, f.rate_per_s,
             f.rate_per_s * static_cast<double>(f.subscribers));
  if (f.joins_refused) line("joins refused", std::to_string(f.joins_refused));
  double publish_span = Seconds(pub.last_sent - pub.first_sent).count();
  std::uint64_t sent = pub.accepted + pub.refused;
  line("published", fmt::format("{} accepted (202), {} refused; achieved {} /s; API round trip {}", pub.accepted,
                                pub.refused,
                                publish_span > 0 ? fmt::format("{:.0f}", static_cast<double>(sent - 1) / publish_span) : "n/a",
                                latencyLine(pub.round_trip)));
  if (!pub.error.empty()) line("publish error", pub.error);
  if (pub.capped) line("publish capped", fmt::format("stopped at the time cap after {} of {}", sent, f.planned));
  std::uint64_t expected = pub.accepted * f.subscribers;
  std::uint64_t lost = expected > rx.received ? expected - rx.received : 0;
  line("deliveries", fmt::format("{} expected, {} received, {} lost{}{}", expected, rx.received, lost,
                                 lost ? fmt::format(" (not in by the end of the {} s drain)", f.drain_timeout_s) : "",
                                 rx.stray ? fmt::format(", {} stray from earlier runs", rx.stray) : ""));
  double window = Seconds(rx.last - rx.first).count();
  line("throughput",
       window > 0 ? fmt::format("{:.0f} deliveries/s over {:.2f} s", static_cast<double>(rx.received) / window, window)
                  : std::string("n/a"),
       ">= 500000 deliveries/s");
  line("latency", latencyLine(rx.latency));
  printCpu(f.cpu);
  if (rx.received > 0) {
    // Per delivery, so the two sides can be compared whatever the rate was.
    const auto received = static_cast<double>(rx.received);
    line("cpu per delivery", fmt::format("server {:.2f} us, loadgen {:.2f} us", 1e6 * f.cpu.server_s / received,
                                         1e6 * f.cpu.loadgen_s / received));
  }
}

void printQueryLoad(const QueryLoadFigures& f) {
  const QueryLoadResult& r = *f.result;
  fmt::print("== graphql http: {}, {} keep-alive clients, {:.1f} s\n", f.name, f.clients, r.wall_s);
  line("queries", fmt::format("{} answered, {} failed; request {} B, response {} B", r.answered, r.failed,
                              f.request_bytes, r.response_bytes));
  if (!r.first_failure.empty()) line("first failure", r.first_failure);
  line("rate", r.wall_s > 0 ? fmt::format("{:.0f} queries/s", static_cast<double>(r.answered) / r.wall_s) : "n/a");
  line("latency", latencyLine(r.latency));
  printCpu(f.cpu);
  if (r.answered > 0) {
    const auto answered = static_cast<double>(r.answered);
    line("cpu per query", fmt::format("server {:.1f} us, loadgen {:.1f} us", 1e6 * f.cpu.server_s / answered,
                                      1e6 * f.cpu.loadgen_s / answered));
  }
}

void printExecutions(std::optional<double> before, std::optional<double> after, std::uint64_t broadcasts,
                     std::size_t selections) {
  if (!before || !after) {
    line("executions", "not available (/metrics could not be read)");
    return;
  }
  double delta = *after - *before;
  line("executions", fmt::format("{:.0f} ({:.1f} per broadcast; {} selections, once per selection and shard)", delta,
                                 broadcasts ? delta / static_cast<double>(broadcasts) : 0.0, selections));
}

void printEnd(std::string_view scheme, std::size_t requested, std::size_t open_at_end, std::size_t dropped,
              const std::map<std::string, std::size_t>& drop_reasons, std::uint64_t server_notices) {
  fmt::print("== {} end of run\n", scheme);
  line("sockets open", fmt::format("{} of {} ({} dropped after joining)", open_at_end, requested, dropped),
       fmt::format("{} joined connections held", requested));
  if (server_notices) line("server notices", fmt::format("{} connect_error messages", server_notices));
  printReasons("drop reasons", drop_reasons);
}

}  // namespace sg::bench
