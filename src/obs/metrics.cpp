#include "obs/metrics.hpp"

#include <fmt/format.h>

namespace sg::obs {
namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

template <typename T>
void single(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            const std::atomic<T>& v) {
  family(out, name, type, help);
  out += fmt::format("{} {}\n", name, v.load(std::memory_order_relaxed));
}

template <typename T>
void single(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            const Striped<T>& v) {
  family(out, name, type, help);
  out += fmt::format("{} {}\n", name, v.load());
}

void byReason(std::string& out, std::string_view name, std::string_view help,
              const std::array<Counter, kCloseReasonCount>& counters) {
  family(out, name, "counter", help);
  for (std::size_t i = 0; i < counters.size(); ++i) {
    const auto& info = closeInfo(static_cast<CloseReason>(i));
    out += fmt::format("{}{{reason=\"{}\",code=\"{}\"}} {}\n", name, info.name, info.code,
                       counters[i].load(std::memory_order_relaxed));
  }
}

}  // namespace

std::size_t threadStripe() {
  static std::atomic<std::size_t> next{0};
  thread_local const std::size_t stripe = next.fetch_add(1, std::memory_order_relaxed);
  return stripe;
}

std::string Metrics::renderPrometheus() const {
  std::string out;
  out.reserve(4096);
  single(out, "sockguard_http_requests_total", "counter", "HTTP requests answered", http_requests);
  single(out, "sockguard_http_errors_total", "counter", "HTTP requests answered with 4xx or 5xx", http_errors);
  single(out, "sockguard_connections", "gauge", "Open connections (WebSockets and long-poll sessions)", connections_open);
  single(out, "sockguard_connections_total", "counter", "WebSocket connections accepted since start", connections_total);
  family(out, "sockguard_handshakes_total", "counter", "WebSocket handshakes by result");
  out += fmt::format("sockguard_handshakes_total{{result=\"accepted\"}} {}\n", handshakes_accepted.load());
  std::uint64_t refused = 0;
  for (const auto& c : refusals) refused += c.load(std::memory_order_relaxed);
  out += fmt::format("sockguard_handshakes_total{{result=\"refused\"}} {}\n", refused);
  byReason(out, "sockguard_refusals_total", "Handshakes refused, by reason", refusals);
  byReason(out, "sockguard_closes_total", "Connections closed by the server, by reason", closes);
  family(out, "sockguard_joins_total", "counter", "Channel joins by result");
  out += fmt::format("sockguard_joins_total{{result=\"ok\"}} {}\n", joins_ok.load());
  out += fmt::format("sockguard_joins_total{{result=\"error\"}} {}\n", joins_error.load());
  single(out, "sockguard_messages_in_total", "counter", "Messages received from clients", messages_in);
  single(out, "sockguard_messages_out_total", "counter", "Messages queued to clients", messages_out);
  single(out, "sockguard_socket_writes_total", "counter", "Write system calls on WebSocket sockets", socket_writes);
  single(out, "sockguard_broadcasts_total", "counter", "Broadcasts published", broadcasts);
  family(out, "sockguard_token_refreshes_total", "counter", "refresh_token pushes by result");
  out += fmt::format("sockguard_token_refreshes_total{{result=\"ok\"}} {}\n", refreshes_ok.load());
  out += fmt::format("sockguard_token_refreshes_total{{result=\"error\"}} {}\n", refreshes_failed.load());
  single(out, "sockguard_queued_bytes", "gauge", "Outbound bytes waiting in socket queues", queued_bytes);
  for (const auto& e : extras) {
    family(out, e.name, e.type, e.help);
    if (e.labels.empty()) out += fmt::format("{} {}\n", e.name, e.read());
    else out += fmt::format("{}{{{}}} {}\n", e.name, e.labels, e.read());
  }
  return out;
}

std::string prometheusLabelValue(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

}  // namespace sg::obs
