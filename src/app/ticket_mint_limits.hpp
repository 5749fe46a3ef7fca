#pragma once
// How many tickets a caller may mint (issue 10 §4: one JWT minted 9 518 tickets a second
// and filled the store for everyone). Three limits, all answered 429 with Retry-After:
//   - per client IP: limits.tickets_per_s_per_ip (burst 4×);
//   - per user: limits.tickets_per_s_per_user (burst 4×);
//   - live tickets per user: at most limits.live_tickets_per_user minted within the last
//     ticket TTL (a used ticket still counts until its TTL is over: the count needs no
//     word from the store, so it holds the same on one node or many).
// Backends minting with the server API key mint for many users from one address and are
// not limited here.
#include "auth/rate_limiter.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace sg::app {

class TicketMintLimits {
 public:
  TicketMintLimits(const LimitsConfig& limits, std::chrono::seconds ticket_ttl, const Clock& clock);

  // nullopt: a ticket may be minted now (and is counted); otherwise how long to wait.
  std::optional<std::chrono::milliseconds> admit(const std::string& user_id, const std::string& client_ip);
  // Drops users whose minted tickets have all expired; returns how many.
  std::size_t sweep();

 private:
  std::optional<std::chrono::milliseconds> takeLive(const std::string& user_id);

  auth::RateLimiter per_ip_, per_user_;
  std::size_t live_max_;
  std::chrono::seconds ttl_;
  const Clock& clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> live_;  // user -> expiries, oldest first
};

}  // namespace sg::app
