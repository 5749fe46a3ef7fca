#include "auth/rate_limiter.hpp"

#include "core/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

namespace sg::auth {

RateLimiter::RateLimiter(double rate_per_s, double burst, const Clock& clock, std::size_t max_keys)
    : rate_(rate_per_s), burst_(burst), clock_(clock), max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

RateLimiter::Shard& RateLimiter::shardFor(std::string_view key) {
  return shards_[std::hash<std::string_view>{}(key) % kShards];
}

void RateLimiter::refill(Bucket& b, Clock::time_point now) const {
  b.tokens = refillTokens(b.tokens, burst_, rate_, now - b.updated);
  b.updated = now;
}

void RateLimiter::prune(Shard& shard, Clock::time_point now) {
  // Buckets that have refilled completely hold no information: drop them.
  for (auto it = shard.buckets.begin(); it != shard.buckets.end();) {
    refill(it->second, now);
    it = it->second.tokens >= burst_ ? shard.buckets.erase(it) : std::next(it);
  }
}

std::optional<std::chrono::milliseconds> RateLimiter::take(std::string_view key, double tokens) {
  auto now = clock_.now();
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) prune(shard, now);
    // Still full of keys that are all mid-burst: refuse rather than grow without bound.
    if (shard.buckets.size() >= max_per_shard_) return std::chrono::milliseconds(1000);
    it = shard.buckets.emplace(std::string(key), Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  refill(b, now);
  if (b.tokens >= tokens) {
    b.tokens -= tokens;
    return std::nullopt;
  }
  double wait_s = (tokens - b.tokens) / rate_;
  return std::chrono::milliseconds(static_cast<long>(std::ceil(wait_s * 1000)));
}

void RateLimiter::refund(std::string_view key, double tokens) {
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.buckets.find(std::string(key));
  if (it != shard.buckets.end()) it->second.tokens = std::min(burst_, it->second.tokens + tokens);
}

}  // namespace sg::auth
