// obs/readiness: named probes answered in registration order; ready only when all are.
#include "obs/readiness.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace sg::obs {
namespace {

TEST(Readiness, WithNoProbesThereIsNothingToCheck) {
  Readiness r;
  EXPECT_TRUE(r.check().empty());
}

TEST(Readiness, EachProbeIsAskedEveryTime) {
  Readiness r;
  std::atomic<bool> postgres{true};
  r.add("postgres", [&] { return postgres.load(); });
  r.add("redis", [] { return true; });
  auto checks = r.check();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].name, "postgres");
  EXPECT_TRUE(checks[0].ready);
  EXPECT_EQ(checks[1].name, "redis");
  postgres = false;
  checks = r.check();
  EXPECT_FALSE(checks[0].ready);
  EXPECT_TRUE(checks[1].ready);
}

TEST(Readiness, AddingANameAgainReplacesItsProbe) {
  Readiness r;
  r.add("redis", [] { return false; });
  r.add("redis", [] { return true; });
  auto checks = r.check();
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_TRUE(checks[0].ready);
}

}  // namespace
}  // namespace sg::obs
