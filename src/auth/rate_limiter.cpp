#include "auth/rate_limiter.hpp"

#include "core/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace sg::auth {

RateLimiter::RateLimiter(double rate_per_s, double burst, const Clock& clock, std::size_t max_keys)
    : rate_(rate_per_s), burst_(burst), clock_(clock), max_per_shard_(std::max<std::size_t>(1, max_keys / kShards)) {}

void RateLimiter::refill(Bucket& b, Clock::time_point now) const {
  b.tokens = refillTokens(b.tokens, burst_, rate_, now - b.updated);
  b.updated = now;
}

void RateLimiter::prune(Shard& shard, Clock::time_point now) {
  // Buckets that have refilled completely hold no information: drop them.
  shard.buckets.eraseIf([&](KeyedTable<Bucket>::Entry& entry) {
    refill(entry.value, now);
    return entry.value.tokens >= burst_;
  });
}

std::optional<std::chrono::milliseconds> RateLimiter::takeHashed(std::string_view key, std::size_t hash, double tokens) {
  auto now = clock_.now();
  Shard& shard = shardFor(hash);
  std::lock_guard lock(shard.mutex);
  auto* entry = shard.buckets.find(key, hash);
  if (!entry) {
    if (shard.buckets.size() >= max_per_shard_) prune(shard, now);
    // Still full of keys that are all mid-burst: refuse rather than grow without bound.
    if (shard.buckets.size() >= max_per_shard_) return std::chrono::milliseconds(1000);
    entry = &shard.buckets.insert(key, hash, Bucket{burst_, now});
  }
  Bucket& b = entry->value;
  refill(b, now);
  if (b.tokens >= tokens) {
    b.tokens -= tokens;
    return std::nullopt;
  }
  double wait_s = (tokens - b.tokens) / rate_;
  return std::chrono::milliseconds(static_cast<long>(std::ceil(wait_s * 1000)));
}

void RateLimiter::refund(std::string_view key, double tokens) {
  std::size_t hash = keyHash(key);
  Shard& shard = shardFor(hash);
  std::lock_guard lock(shard.mutex);
  if (auto* entry = shard.buckets.find(key, hash)) entry->value.tokens = std::min(burst_, entry->value.tokens + tokens);
}

}  // namespace sg::auth
