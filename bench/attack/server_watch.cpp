#include "server_watch.hpp"

#include "api_client.hpp"
#include "proc_stats.hpp"

#include <fstream>

namespace sg::attack {

asio::awaitable<void> ServerWatch::sample(Clock::duration every) {
  while (!stopping_) {
    if (auto kib = bench::readRssKib(pid_)) {
      last_kib_ = *kib;
      peak_kib_ = std::max(peak_kib_, *kib);
      ++samples_;
    }
    co_await sleepFor(every);
  }
}

bool ServerWatch::alive() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return false;
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

MetricsSnapshot parseMetrics(std::string_view text) {
  MetricsSnapshot out;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    auto space = line.rfind(' ');
    if (space == std::string_view::npos) continue;
    try {
      out[std::string(line.substr(0, space))] = std::stod(std::string(line.substr(space + 1)));
    } catch (...) {
    }
  }
  return out;
}

std::string labelOf(std::string_view sample, std::string_view label) {
  std::string key = std::string(label) + "=\"";
  auto pos = sample.find(key);
  if (pos == std::string_view::npos) return {};
  auto start = pos + key.size();
  auto end = sample.find('"', start);
  return std::string(sample.substr(start, end - start));
}

asio::awaitable<std::optional<MetricsSnapshot>> fetchMetrics(const Target& target) {
  ApiRequest request{"GET", "/metrics", {}, {}};
  auto source = target.server.address();
  ApiResponse response = co_await callApi(target, source, request, 10s);
  if (response.status != 200) co_return std::nullopt;
  co_return parseMetrics(response.body);
}

}  // namespace sg::attack
