// auth/rate_limiter: keyed token buckets on an injected clock; bounded memory; one
// bucket shared by racing threads hands out exactly its burst.
#include "auth/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sg::auth {
namespace {
using std::chrono::milliseconds;

TEST(RateLimiter, ABurstThenAWaitThatMatchesTheRate) {
  ManualClock clock;
  RateLimiter limiter(/*rate_per_s=*/4, /*burst=*/3, clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.take("10.0.0.1"), std::nullopt) << i;
  EXPECT_EQ(limiter.take("10.0.0.1"), milliseconds(250));  // one token at 4/s
  clock.advance(milliseconds(125));
  EXPECT_EQ(limiter.take("10.0.0.1"), milliseconds(125));  // refused takes cost nothing
  clock.advance(milliseconds(125));
  EXPECT_EQ(limiter.take("10.0.0.1"), std::nullopt);
  EXPECT_NE(limiter.take("10.0.0.1"), std::nullopt);
}

TEST(RateLimiter, KeysHaveTheirOwnBuckets) {
  ManualClock clock;
  RateLimiter limiter(1, 1, clock);
  EXPECT_EQ(limiter.take("a"), std::nullopt);
  EXPECT_NE(limiter.take("a"), std::nullopt);
  EXPECT_EQ(limiter.take("b"), std::nullopt);
  EXPECT_EQ(limiter.take(std::string_view("a\0b", 3)), std::nullopt) << "keys are compared whole, NUL included";
}

TEST(RateLimiter, IdleTimeRefillsNoFurtherThanTheBurst) {
  ManualClock clock;
  RateLimiter limiter(10, 2, clock);
  clock.advance(std::chrono::hours(24));
  EXPECT_EQ(limiter.take("k"), std::nullopt);
  EXPECT_EQ(limiter.take("k"), std::nullopt);
  EXPECT_NE(limiter.take("k"), std::nullopt);
  clock.advance(std::chrono::hours(24));
  EXPECT_EQ(limiter.take("k", 2), std::nullopt);
  EXPECT_NE(limiter.take("k"), std::nullopt);
}

TEST(RateLimiter, SeveralTokensAtOnceAndRefunds) {
  ManualClock clock;
  RateLimiter limiter(1, 5, clock);
  EXPECT_EQ(limiter.take("k", 4), std::nullopt);
  EXPECT_EQ(limiter.take("k", 2), milliseconds(1000));  // one left, two wanted
  limiter.refund("k", 1);
  EXPECT_EQ(limiter.take("k", 2), std::nullopt);
  limiter.refund("k", 100);  // never above the burst
  EXPECT_EQ(limiter.take("k", 5), std::nullopt);
  EXPECT_NE(limiter.take("k"), std::nullopt);
  limiter.refund("unknown");  // refunding a key never seen creates nothing and does not throw
}

TEST(RateLimiter, AWallClockStepBackwardsGrantsNothing) {
  ManualClock clock;
  RateLimiter limiter(1, 2, clock);
  EXPECT_EQ(limiter.take("k", 2), std::nullopt);
  clock.advance(-std::chrono::hours(1));  // NTP steps the clock back
  EXPECT_NE(limiter.take("k"), std::nullopt);
  clock.advance(milliseconds(999));
  EXPECT_NE(limiter.take("k"), std::nullopt);
  clock.advance(milliseconds(1));  // a second of real time after the step: one token
  EXPECT_EQ(limiter.take("k"), std::nullopt);
}

TEST(RateLimiter, MemoryIsBoundedAndRecoversOnceBucketsRefill) {
  ManualClock clock;
  // 16 keys in all: one per shard.
  RateLimiter limiter(1, 1, clock, /*max_keys=*/16);
  int refused = 0;
  for (int i = 0; i < 1000; ++i) {
    if (limiter.take("ip-" + std::to_string(i))) ++refused;
  }
  // At most 16 buckets are held, all mid-burst: every other key is refused, not stored.
  EXPECT_EQ(refused, 1000 - 16);
  EXPECT_EQ(limiter.take("fresh-key"), milliseconds(1000));
  clock.advance(std::chrono::seconds(1));  // every bucket is full again and holds no information
  EXPECT_EQ(limiter.take("fresh-key"), std::nullopt);
}

TEST(RateLimiter, RacingThreadsShareOneBucketExactly) {
  ManualClock clock;  // time stands still: only the burst is available
  RateLimiter limiter(1, 500, clock);
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i)
        if (!limiter.take("10.0.0.1")) granted.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 500);
}

}  // namespace
}  // namespace sg::auth
