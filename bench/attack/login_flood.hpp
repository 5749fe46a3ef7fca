#pragma once
// Password guessing at POST /api/accounts/login: wrong passwords for made-up e-mail
// addresses, from a range of addresses, each keeping a few requests in flight. Every
// attempt the throttles let through costs the server an argon2id hash (a tenth of a
// second of a core, 64 MiB), so this is the cheapest way to make the server work hard.
// Meanwhile its other work (tickets, cookie handshakes) and the legitimate sign-ins must
// keep going. A 200 to a wrong password would be a bad credential accepted.
#include "api_client.hpp"
#include "stats.hpp"
#include "tally.hpp"

#include <vector>

namespace sg::attack {

struct LoginFloodPlan {
  std::vector<asio::ip::address> sources;
  int in_flight_per_source = 2;
  Clock::duration timeout = 60s;
};

struct LoginFloodFigures {
  std::uint64_t attempts = 0;
  Tally answers;                   // "http 401", "http 429", "timeout"...
  std::uint64_t accepted = 0;      // a wrong password answered 200
  bench::LatencyHistogram hashed;  // latency of the attempts answered 401 (those that were hashed)
};

class LoginFlood {
 public:
  LoginFlood(const asio::any_io_executor& ex, const Target& target, LoginFloodPlan plan, std::uint64_t seed)
      : ex_(ex), target_(target), plan_(std::move(plan)), rng_(seed) {}

  void start();
  void stop() { stopping_ = true; }
  const LoginFloodFigures& figures() const { return figures_; }

 private:
  asio::awaitable<void> worker(std::size_t index);

  asio::any_io_executor ex_;
  const Target& target_;
  LoginFloodPlan plan_;
  Rng rng_;
  bool stopping_ = false;
  LoginFloodFigures figures_;
};

}  // namespace sg::attack
