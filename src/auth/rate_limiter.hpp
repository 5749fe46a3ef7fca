#pragma once
// Token buckets keyed by a string (a client IP, an account): `rate` tokens per second up
// to `burst`. Sharded under small mutexes; bounded in memory (idle, full buckets are
// dropped first when a shard is over its share of `max_keys`). take() never blocks long.
#include "auth/keyed_table.hpp"
#include "core/clock.hpp"

#include <array>
#include <chrono>
#include <mutex>
#include <optional>
#include <string_view>

namespace sg::auth {

class RateLimiter {
 public:
  RateLimiter(double rate_per_s, double burst, const Clock& clock, std::size_t max_keys = 100'000);

  // nullopt when a token was taken; otherwise how long until one is available.
  std::optional<std::chrono::milliseconds> take(std::string_view key, double tokens = 1.0) {
    return takeHashed(key, keyHash(key), tokens);
  }
  // The same, for a caller that has the key's keyHash already.
  std::optional<std::chrono::milliseconds> takeHashed(std::string_view key, std::size_t hash, double tokens = 1.0);
  // Puts tokens back (e.g. a successful login forgives the attempt).
  void refund(std::string_view key, double tokens = 1.0);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  struct Shard {
    std::mutex mutex;
    KeyedTable<Bucket> buckets;
  };
  static constexpr unsigned kShardBits = 4;
  static constexpr std::size_t kShards = std::size_t{1} << kShardBits;
  Shard& shardFor(std::size_t hash) { return shards_[shardOf(hash, kShardBits)]; }
  void refill(Bucket& b, Clock::time_point now) const;
  void prune(Shard& shard, Clock::time_point now);

  double rate_, burst_;
  const Clock& clock_;
  std::size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace sg::auth
