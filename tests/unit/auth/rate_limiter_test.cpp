// Token buckets keyed by string, on a ManualClock.
#include "auth/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, BurstThenWaitForRefill) {
  ManualClock clock;
  RateLimiter limiter(1.0, 3, clock);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.take("k")) << i;
  auto wait = limiter.take("k");
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 1000ms);
  clock.advance(1s);
  EXPECT_FALSE(limiter.take("k"));
  EXPECT_TRUE(limiter.take("k"));
}

TEST(RateLimiter, KeysAreIndependent) {
  ManualClock clock;
  RateLimiter limiter(0.001, 1, clock);
  EXPECT_FALSE(limiter.take("a"));
  EXPECT_TRUE(limiter.take("a"));
  EXPECT_FALSE(limiter.take("b"));
}

TEST(RateLimiter, RefundGivesATokenBackUpToTheBurst) {
  ManualClock clock;
  RateLimiter limiter(0.001, 2, clock);
  EXPECT_FALSE(limiter.take("k"));
  EXPECT_FALSE(limiter.take("k"));
  EXPECT_TRUE(limiter.take("k"));
  limiter.refund("k");
  EXPECT_FALSE(limiter.take("k"));
  limiter.refund("k", 10);
  EXPECT_FALSE(limiter.take("k"));
  EXPECT_FALSE(limiter.take("k"));
  EXPECT_TRUE(limiter.take("k"));
}

TEST(RateLimiter, BoundedInKeys) {
  ManualClock clock;
  RateLimiter limiter(0.001, 1, clock, /*max_keys=*/16);
  int refused = 0;
  for (int i = 0; i < 1000; ++i) refused += limiter.take("k" + std::to_string(i)).has_value();
  EXPECT_GT(refused, 0);  // full of mid-burst keys: new ones are refused, not stored
}

}  // namespace
}  // namespace sg::auth
