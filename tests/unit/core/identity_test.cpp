// core/identity: MaybeTime, the 8-byte optional time point an Identity keeps twice.
#include "core/identity.hpp"

#include <gtest/gtest.h>

#include <optional>

namespace sg {
namespace {
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

const TimePoint kAt{seconds(1'700'000'000)};

TEST(MaybeTime, UnknownUntilSetLikeAnOptional) {
  MaybeTime t;
  EXPECT_FALSE(t);
  EXPECT_FALSE(t.has_value());
  EXPECT_EQ(std::optional<TimePoint>(t), std::nullopt);
  EXPECT_FALSE(t == kAt);

  t = kAt;
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, kAt);
  EXPECT_TRUE(t == kAt);
  EXPECT_EQ(std::optional<TimePoint>(t), kAt);

  t.reset();
  EXPECT_FALSE(t);
}

TEST(MaybeTime, TakesOptionalsBothWays) {
  MaybeTime none = std::optional<TimePoint>();
  EXPECT_FALSE(none);
  MaybeTime some = std::optional<TimePoint>(kAt);
  EXPECT_TRUE(some == kAt);
  MaybeTime epoch = TimePoint{};  // the epoch itself is a time like any other
  EXPECT_TRUE(epoch);
  EXPECT_EQ(*epoch, TimePoint{});
  EXPECT_EQ(MaybeTime(std::nullopt), MaybeTime());
}

TEST(MaybeTime, HalvesTheIdentity) {
  EXPECT_EQ(sizeof(MaybeTime), sizeof(TimePoint));
}

}  // namespace
}  // namespace sg
