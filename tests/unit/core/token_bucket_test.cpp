// core/token_bucket: a socket's inbound message budget, driven by explicit time points.
#include "core/token_bucket.hpp"

#include <gtest/gtest.h>

namespace sg {
namespace {
using std::chrono::milliseconds;
using std::chrono::seconds;

const TokenBucket::Clock::time_point kStart{seconds(1000)};

int takeAll(TokenBucket& bucket, TokenBucket::Clock::time_point at, int at_most = 1'000'000) {
  int n = 0;
  while (n < at_most && bucket.take(at)) ++n;
  return n;
}

TEST(TokenBucket, StartsFullAndRefillsAtTheRate) {
  TokenBucket bucket(/*rate_per_s=*/50, /*burst=*/100, kStart);
  EXPECT_EQ(takeAll(bucket, kStart), 100);
  EXPECT_FALSE(bucket.take(kStart + milliseconds(19)));  // 0.95 of a token
  EXPECT_TRUE(bucket.take(kStart + milliseconds(25)));   // 1.25: the refused take cost nothing
  EXPECT_EQ(takeAll(bucket, kStart + milliseconds(1030)), 50);  // 0.25 + 50.25
}

TEST(TokenBucket, IdleTimeRefillsNoFurtherThanTheBurst) {
  TokenBucket bucket(50, 100, kStart);
  EXPECT_EQ(takeAll(bucket, kStart), 100);
  EXPECT_EQ(takeAll(bucket, kStart + std::chrono::hours(24 * 365)), 100);
}

TEST(TokenBucket, SlowRatesAccumulateFractions) {
  TokenBucket bucket(0.5, 1, kStart);
  EXPECT_TRUE(bucket.take(kStart));
  EXPECT_FALSE(bucket.take(kStart + milliseconds(1000)));  // half a token
  EXPECT_FALSE(bucket.take(kStart + milliseconds(1500)));  // three quarters
  EXPECT_TRUE(bucket.take(kStart + milliseconds(2000)));
}

TEST(TokenBucket, ATimePointFromBeforeGrantsNothing) {
  TokenBucket bucket(10, 1, kStart);
  EXPECT_TRUE(bucket.take(kStart));
  EXPECT_FALSE(bucket.take(kStart - seconds(10)));
}

TEST(TokenBucket, ALargeBurstIsCountedExactly) {
  // limits.message_burst goes up to INT_MAX. Every token of a large burst is counted:
  // the bucket must run dry after exactly `burst` takes. 2^25 is the first burst from which
  // a float count cannot go down by one at all.
  constexpr int kBurst = 1 << 25;
  TokenBucket bucket(1, kBurst, kStart);
  EXPECT_EQ(takeAll(bucket, kStart, kBurst + 10), kBurst);
}

}  // namespace
}  // namespace sg
