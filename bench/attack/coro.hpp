#pragma once
// Small pieces every part of the attack run uses: the clock, a coroutine sleep, and a
// cheap random source. Each io_context thread of the run owns its own Rng.
//
// GCC 12 destroys a class-type temporary in a co_await expression twice, so coroutine
// arguments in this folder are named lvalues or scalars, never temporaries, and no
// lambda is a coroutine.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace sg::attack {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

inline asio::awaitable<void> sleepFor(Clock::duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

inline double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t next() { return engine_(); }
  // Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + engine_() % (hi - lo + 1); }
  Clock::duration jitter(Clock::duration lo, Clock::duration hi) {
    return lo + Clock::duration(static_cast<Clock::rep>(engine_() % static_cast<std::uint64_t>((hi - lo).count() + 1)));
  }
  std::string bytes(std::size_t n) {
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(engine_() & 0xff);
    return out;
  }
  // `n` characters of the base64url alphabet: the shape of a real ticket.
  std::string base64url(std::size_t n) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out(n, 'A');
    for (auto& c : out) c = kAlphabet[engine_() % 64];
    return out;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace sg::attack
