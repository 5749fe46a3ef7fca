#pragma once
// Sockets that upgrade without any credential and then say nothing. The server has to
// keep them cheap, close each at auth_timeout, and refuse those over its per-IP caps
// (pending authentication, handshake rate). Every slot re-opens its socket as soon as
// it is closed, so the pressure holds for the whole run.
#include "attacker_socket.hpp"
#include "stats.hpp"
#include "tally.hpp"

#include <vector>

namespace sg::attack {

struct IdleSwarmPlan {
  std::size_t sockets = 5000;
  std::vector<asio::ip::address> sources;  // slot i uses sources[i % size]
  Clock::duration ramp = 2s;               // the first sockets open spread over this
  Clock::duration reopen_min = 200ms;      // pause before a slot re-opens
  Clock::duration reopen_max = 800ms;
};

struct IdleSwarmFigures {
  std::uint64_t attempts = 0;
  std::uint64_t upgraded = 0;
  std::size_t open = 0;  // upgraded and not yet closed
  std::size_t peak_open = 0;
  Tally endings;                 // how each socket ended
  bench::LatencyHistogram held;  // upgrade to close, for sockets admitted and closed at auth_timeout
};

class IdleSwarm {
 public:
  IdleSwarm(const asio::any_io_executor& ex, const Target& target, IdleSwarmPlan plan, std::uint64_t seed)
      : ex_(ex), target_(target), plan_(std::move(plan)), rng_(seed) {}

  void start();
  void stop() { stopping_ = true; }
  const IdleSwarmFigures& figures() const { return figures_; }

 private:
  asio::awaitable<void> slot(std::size_t index);

  asio::any_io_executor ex_;
  const Target& target_;
  IdleSwarmPlan plan_;
  Rng rng_;
  bool stopping_ = false;
  IdleSwarmFigures figures_;
};

}  // namespace sg::attack
