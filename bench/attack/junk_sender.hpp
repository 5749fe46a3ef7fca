#pragma once
// Sockets that send what no client should: frames over the size limits (and length
// headers that lie about a terabyte), broken framing (unmasked, reserved opcodes and
// bits, oversized pings, invalid UTF-8, endless fragments), invalid JSON and binary junk,
// message floods, joins of other users' private topics, more topics than allowed, and
// deeply nested JSON. Half of it comes from bare sockets that never authenticated, half
// from sockets with a valid ticket of an attacker's own account: limits must hold on
// both sides of authentication. Each is tallied by how the server closed it.
#include "attacker_socket.hpp"
#include "tally.hpp"

#include <vector>

namespace sg::attack {

struct JunkPlan {
  std::size_t workers = 20;  // sockets at a time, each from its own source
  std::vector<asio::ip::address> sources;
  Clock::duration pause = 100ms;  // between two sockets of a worker
  Clock::duration socket_deadline = 10s;
  std::string api_key;        // to mint the attackers' own tickets
  std::string legit_user_id;  // whose private topics the attackers try to join
};

struct JunkFigures {
  std::uint64_t sockets = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t mint_failures = 0;
  KindTally outcomes;
  std::uint64_t private_joins_accepted = 0;  // joins of another user's topic answered ok
};

class JunkSender {
 public:
  JunkSender(const asio::any_io_executor& ex, const Target& target, JunkPlan plan, std::uint64_t seed)
      : ex_(ex), target_(target), plan_(std::move(plan)), rng_(seed) {}

  void start();
  void stop() { stopping_ = true; }
  const JunkFigures& figures() const { return figures_; }

 private:
  asio::awaitable<void> worker(std::size_t index);
  asio::awaitable<void> one(std::size_t worker, std::size_t round);

  asio::any_io_executor ex_;
  const Target& target_;
  JunkPlan plan_;
  Rng rng_;
  bool stopping_ = false;
  JunkFigures figures_;
};

}  // namespace sg::attack
