#pragma once
// The attack run's figures and its verdict. The verdict is counts and memory only, never
// timings: zero bad credentials accepted, zero private topics joined by an attacker,
// every legitimate client joined and never disconnected, zero broadcasts lost, the
// server alive with its peak RSS under the bound. A run that could not have seen a
// failure (an attack kind that never ran, no control credential accepted) is a tool
// error, not a pass.
#include "attack_options.hpp"
#include "bad_ticket_flood.hpp"
#include "http_publisher.hpp"
#include "idle_swarm.hpp"
#include "junk_sender.hpp"
#include "legit_fleet.hpp"
#include "login_flood.hpp"
#include "report.hpp"
#include "server_watch.hpp"
#include "slowloris.hpp"

#include <optional>
#include <vector>

namespace sg::attack {

struct ServerFigures {
  long baseline_kib = 0;      // RSS before the attack (after set-up)
  long peak_sampled_kib = 0;  // highest RSS sampled during the attack
  long peak_kib = 0;          // VmHWM at the end: the peak since start, set-up included
  bench::CpuShare cpu;        // over the attack
  bool alive = false;
  std::optional<MetricsSnapshot> metrics;
};

struct RunFigures {
  const AttackOptions* options = nullptr;
  double setup_s = 0;
  double attack_s = 0;
  LegitSummary legit;
  const LegitShared* legit_shared = nullptr;
  std::uint64_t broadcasts_planned = 0;
  bench::PublishResult published;
  IdleSwarmFigures idle;
  FloodFigures flood;
  SlowlorisFigures slowloris;
  JunkFigures junk;
  LoginFloodFigures login_flood;
  ServerFigures server;
};

struct Verdict {
  std::vector<std::string> failures;     // the server failed a pass criterion
  std::vector<std::string> tool_errors;  // the run could not tell
  int exitStatus() const { return !failures.empty() ? 1 : !tool_errors.empty() ? 2 : 0; }
};

void printReport(const RunFigures& run);
Verdict judge(const RunFigures& run);
void printVerdict(const Verdict& verdict);

}  // namespace sg::attack
