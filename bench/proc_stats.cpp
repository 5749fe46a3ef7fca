#include "proc_stats.hpp"

#include <fstream>
#include <sstream>
#include <string_view>
#include <unistd.h>

namespace sg::bench {
namespace {

std::string procPath(pid_t pid, const char* leaf) {
  return pid == 0 ? std::string("/proc/self/") + leaf : "/proc/" + std::to_string(pid) + "/" + leaf;
}

// A "Name:   1234 kB" line of /proc/<pid>/status, in KiB.
std::optional<long> readStatusKib(pid_t pid, std::string_view field) {
  std::ifstream in(procPath(pid, "status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > field.size() && line.compare(0, field.size(), field) == 0 && line[field.size()] == ':') {
      return std::stol(line.substr(field.size() + 1));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<long> readRssKib(pid_t pid) { return readStatusKib(pid, "VmRSS"); }

std::optional<long> readPeakRssKib(pid_t pid) { return readStatusKib(pid, "VmHWM"); }

std::optional<double> readCpuSeconds(pid_t pid) {
  std::ifstream in(procPath(pid, "stat"));
  std::string stat;
  if (!std::getline(in, stat)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: count fields after the
  // last ')'. utime and stime are fields 14 and 15, i.e. the 12th and 13th after it.
  auto close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat.substr(close + 1));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;
  long utime = 0, stime = 0;
  if (!(fields >> utime >> stime)) return std::nullopt;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace sg::bench
