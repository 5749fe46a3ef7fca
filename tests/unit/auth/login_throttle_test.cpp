// Login throttling (issue 10 §6): guesses from many addresses cannot lock the owner out of
// their usual address, while every kind of guessing stays bounded.
#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kVictim = "victim@example.com";

std::string attacker(int i) { return "198.51.100." + std::to_string(i); }

TEST(LoginThrottle, PerAccountAndIpLimitsOneAddressGuessingOneAccount) {
  ManualClock clock;
  LoginThrottle t({100, 3, 100}, clock);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.admit(kVictim, "192.0.2.1")) << i;
  EXPECT_TRUE(t.admit(kVictim, "192.0.2.1"));
  // The same address may still try another account, another address this account.
  EXPECT_FALSE(t.admit("other@example.com", "192.0.2.1"));
  EXPECT_FALSE(t.admit(kVictim, "192.0.2.2"));
  // Refilled over ten minutes: one attempt back after a third of that.
  clock.advance(200s);
  EXPECT_FALSE(t.admit(kVictim, "192.0.2.1"));
}

TEST(LoginThrottle, PerIpLimitsOneAddressGuessingManyAccounts) {
  ManualClock clock;
  LoginThrottle t({5, 100, 100}, clock);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(t.admit("user" + std::to_string(i) + "@example.com", "192.0.2.1"));
  auto wait = t.admit("user9@example.com", "192.0.2.1");
  ASSERT_TRUE(wait);
  EXPECT_LE(*wait, 12s);  // five a minute
  EXPECT_FALSE(t.admit("user9@example.com", "192.0.2.2"));
}

// The attack of issue 10 §6: wrong passwords from other addresses, then the owner's
// correct one from its own address.
TEST(LoginThrottle, GuessesFromElsewhereDoNotLockTheOwnersAddressOut) {
  ManualClock clock;
  LoginThrottle t({100, 10, 5}, clock);
  t.succeeded(kVictim, "192.0.2.10");  // registered or signed in from here before
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(t.admit(kVictim, attacker(i))) << i;
  // The account-wide limit is spent: more addresses get nowhere...
  for (int i = 5; i < 50; ++i) EXPECT_TRUE(t.admit(kVictim, attacker(i))) << i;
  // ...but the owner's address is exempt from it.
  EXPECT_FALSE(t.admit(kVictim, "192.0.2.10"));
  // The owner from an address never used before waits like everyone else.
  EXPECT_TRUE(t.admit(kVictim, "203.0.113.77"));
}

TEST(LoginThrottle, RefusedAttemptsCostNothing) {
  ManualClock clock;
  LoginThrottle t({2, 100, 1}, clock);
  EXPECT_FALSE(t.admit(kVictim, "192.0.2.1"));
  // Refused by the account-wide limit: the per-IP token it took first is given back.
  EXPECT_TRUE(t.admit(kVictim, "192.0.2.1"));
  EXPECT_TRUE(t.admit(kVictim, "192.0.2.1"));
  EXPECT_FALSE(t.admit("other@example.com", "192.0.2.1"));
}

TEST(LoginThrottle, SuccessForgivesTheAttemptAndRemembersTheAddress) {
  ManualClock clock;
  LoginThrottle t({100, 2, 2}, clock);
  EXPECT_FALSE(t.admit(kVictim, "192.0.2.1"));
  EXPECT_FALSE(t.admit(kVictim, "192.0.2.1"));
  t.succeeded(kVictim, "192.0.2.1");
  EXPECT_TRUE(t.isKnownAddress(kVictim, "192.0.2.1"));
  EXPECT_FALSE(t.isKnownAddress(kVictim, "192.0.2.2"));
  EXPECT_FALSE(t.isKnownAddress("other@example.com", "192.0.2.1"));
  EXPECT_FALSE(t.admit(kVictim, "192.0.2.1"));
}

TEST(LoginThrottle, RemembersTheLastFewAddressesOnly) {
  ManualClock clock;
  LoginThrottle t({100, 100, 100}, clock);
  for (int i = 0; i <= static_cast<int>(LoginThrottle::kAddressesPerAccount); ++i) t.succeeded(kVictim, attacker(i));
  EXPECT_FALSE(t.isKnownAddress(kVictim, attacker(0)));
  EXPECT_TRUE(t.isKnownAddress(kVictim, attacker(LoginThrottle::kAddressesPerAccount)));
}

TEST(LoginThrottle, BoundedInAccounts) {
  ManualClock clock;
  LoginThrottle t({100, 100, 100}, clock, /*max_accounts=*/3);
  for (int i = 0; i < 10; ++i) t.succeeded("user" + std::to_string(i) + "@example.com", "192.0.2.1");
  EXPECT_FALSE(t.isKnownAddress("user0@example.com", "192.0.2.1"));
  EXPECT_TRUE(t.isKnownAddress("user9@example.com", "192.0.2.1"));
}

}  // namespace
}  // namespace sg::auth
