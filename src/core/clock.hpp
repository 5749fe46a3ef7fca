#pragma once
// Time as the server sees it. Code that expires things (tickets, tokens, sessions) takes
// a Clock so tests can move time instead of sleeping.
#include <atomic>
#include <chrono>

namespace sg {

class Clock {
 public:
  using time_point = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
};

class SystemClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::system_clock::now(); }
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(time_point start = time_point{std::chrono::seconds{1'700'000'000}})
      : now_(start.time_since_epoch().count()) {}
  time_point now() const override { return time_point{time_point::duration{now_.load()}}; }
  void advance(std::chrono::system_clock::duration d) { now_ += d.count(); }

 private:
  std::atomic<time_point::rep> now_;
};

}  // namespace sg
