#pragma once
// Login throttling that an attacker cannot turn into a lock-out of the account's owner
// (issue 10 §6). Three token buckets, each "N attempts, refilled over a window":
//   - per client IP (any account): one address guessing many accounts;
//   - per (account, client IP): one address guessing one account;
//   - per account, over every address: many addresses guessing one account. This one is
//     slower, and the addresses the account signed in from before (the last few successful
//     logins or registrations) are exempt from it, so guesses from elsewhere cannot keep
//     the owner out of their usual address. The owner signing in from a new address while
//     the account is under attack waits like the attacker: that is the price of the
//     global limit, and why it is generous.
// Memory is bounded: the buckets by RateLimiter, the known addresses to a fixed number of
// accounts (the oldest entries are dropped first when full). A restart forgets both.
#include "auth/login_limiter.hpp"
#include "auth/rate_limiter.hpp"
#include "core/clock.hpp"

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sg::auth {

struct LoginLimits {
  int per_ip = 30;              // attempts per client IP, refilled over a minute
  int per_account_and_ip = 10;  // attempts per (account, client IP), refilled over ten minutes
  int per_account = 50;         // attempts per account from addresses it never signed in from, refilled over an hour
};

class LoginThrottle final : public LoginLimiter {
 public:
  static constexpr std::size_t kAddressesPerAccount = 4;

  LoginThrottle(const LoginLimits& limits, const Clock& clock, std::size_t max_accounts = 100'000);

  // Counts an attempt to sign in to `account` (a normalised e-mail, known or not) from `ip`.
  // nullopt: go ahead; otherwise how long until an attempt would be admitted. A refused
  // attempt costs nothing.
  std::optional<std::chrono::milliseconds> admit(std::string_view account, std::string_view ip);
  // The password was right (or the account was just created from `ip`): the attempt is
  // forgiven and `ip` becomes one of the account's known addresses.
  void succeeded(std::string_view account, std::string_view ip) override;
  // LoginLimiter: admit(), answered inline.
  void admitAttempt(std::string_view account, std::string_view ip, AdmitDone done) override { done(admit(account, ip)); }
  bool isKnownAddress(std::string_view account, std::string_view ip) const;

 private:
  static std::string pairKey(std::string_view account, std::string_view ip);
  void remember(std::string_view account, std::string_view ip);

  RateLimiter per_ip_;
  RateLimiter per_account_and_ip_;
  RateLimiter per_account_;

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::string>> known_;  // account -> newest address last
  std::deque<std::string> known_order_;                               // accounts, oldest first
  std::size_t max_accounts_;
};

}  // namespace sg::auth
