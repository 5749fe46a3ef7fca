#pragma once
// Login throttling shared by every node (auth::LoginLimiter in Redis): the three token
// buckets of auth::LoginThrottle (per IP, per account and IP, per account from unknown
// addresses) and each account's last few sign-in addresses, checked and taken by one Lua
// script per attempt, so that attempts spread over the nodes meet the same limits. Time
// is Redis's own (TIME), so the nodes' clocks need not agree. Buckets expire once they
// would be full again; known addresses are kept kKnownFor after the last sign-in. While
// Redis is down, logins answer 503 (never an unthrottled attempt).
#include "auth/login_limiter.hpp"
#include "auth/login_throttle.hpp"
#include "cluster/redis_client.hpp"

namespace sg::cluster {

class RedisLoginThrottle final : public auth::LoginLimiter {
 public:
  static constexpr std::chrono::hours kKnownFor{24 * 90};

  RedisLoginThrottle(RedisClient& redis, const auth::LoginLimits& limits) : redis_(redis), limits_(limits) {}

  void admitAttempt(std::string_view account, std::string_view ip, AdmitDone done) override;
  void succeeded(std::string_view account, std::string_view ip) override;

 private:
  RedisClient& redis_;
  auth::LoginLimits limits_;
};

}  // namespace sg::cluster
