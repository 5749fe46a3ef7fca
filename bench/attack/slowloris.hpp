#pragma once
// Slowloris: HTTP connections that send their request a byte at a time and never finish
// it, so that a server that waits for each request without a deadline runs out of
// sockets. Some start a WebSocket upgrade, some an API GET, some a POST whose body
// trickles in after its headers. The server must hang up on each at its request
// timeout; every slot then reconnects, so the pressure holds for the whole run.
#include "raw_conn.hpp"
#include "stats.hpp"
#include "tally.hpp"
#include "target.hpp"

#include <vector>

namespace sg::attack {

struct SlowlorisPlan {
  std::size_t connections = 1000;
  std::vector<asio::ip::address> sources;
  Clock::duration byte_interval = 1s;  // one byte this often, per connection
  Clock::duration ramp = 2s;
  Clock::duration reopen_delay = 500ms;
  Clock::duration give_up = 120s;  // a server that never hangs up: the slot stops there
};

struct SlowlorisFigures {
  std::uint64_t opened = 0;
  std::uint64_t bytes_sent = 0;
  std::size_t open = 0;
  std::size_t peak_open = 0;
  KindTally endings;             // by kind of slow request: how the server ended it
  bench::LatencyHistogram held;  // connect to the server's hang-up
};

class Slowloris {
 public:
  Slowloris(const asio::any_io_executor& ex, const Target& target, SlowlorisPlan plan, std::uint64_t seed)
      : ex_(ex), target_(target), plan_(std::move(plan)), rng_(seed) {}

  void start();
  void stop() { stopping_ = true; }
  const SlowlorisFigures& figures() const { return figures_; }

 private:
  struct Conn {
    std::shared_ptr<RawConn> raw;
    bool closed = false;
    std::string answer;  // what the server sent before hanging up
    boost::system::error_code ended;
  };
  asio::awaitable<void> slot(std::size_t index);
  asio::awaitable<void> reader(std::shared_ptr<Conn> conn);

  asio::any_io_executor ex_;
  const Target& target_;
  SlowlorisPlan plan_;
  Rng rng_;
  bool stopping_ = false;
  SlowlorisFigures figures_;
};

}  // namespace sg::attack
