// auth/admission: the handshake rate per IP (on an injected clock), the socket caps per
// IP, per user and in total, the pending-auth cap, and leases giving their places back.
#include "auth/admission.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sg::auth {
namespace {

LimitsConfig roomy() {
  LimitsConfig l;
  l.handshakes_per_ip_per_s = 1000;
  l.handshake_burst_per_ip = 1000;
  return l;
}

TEST(Admission, HandshakesPerIpAreRateLimitedWithARetryHint) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.handshakes_per_ip_per_s = 2;
  limits.handshake_burst_per_ip = 3;
  Admission admission(limits, clock);
  std::vector<std::shared_ptr<Admission::Lease>> held;
  for (int i = 0; i < 3; ++i) {
    auto r = admission.admit("10.0.0.1");
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_TRUE(r.has_value());
    held.push_back(std::move(*r));
  }
  auto over = admission.admit("10.0.0.1");
  EXPECT_FALSE(over.has_value());
  ASSERT_FALSE(over.has_value());
  EXPECT_EQ(over.error().reason, CloseReason::RateLimited);
  EXPECT_EQ(over.error().retry_after_ms, 500);  // one handshake at 2/s
  // Closing sockets does not give handshakes back: the rate counts attempts, not sockets.
  held.clear();
  EXPECT_FALSE(admission.admit("10.0.0.1").has_value());
  EXPECT_TRUE(admission.admit("10.0.0.2").has_value()) << "another address has its own budget";
  clock.advance(std::chrono::milliseconds(500));
  EXPECT_TRUE(admission.admit("10.0.0.1").has_value());
}

TEST(Admission, SocketsPerIpAreCappedUntilOneCloses) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.sockets_per_ip = 2;
  Admission admission(limits, clock);
  auto a = admission.admit("10.0.0.1");
  auto b = admission.admit("10.0.0.1");
  ASSERT_TRUE(a && b);
  auto c = admission.admit("10.0.0.1");
  EXPECT_FALSE(c.has_value());
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().reason, CloseReason::RateLimited);
  EXPECT_GT(c.error().retry_after_ms.value_or(0), 0);
  EXPECT_EQ(admission.open(), 2) << "a refused socket holds no place";
  EXPECT_TRUE(admission.admit("10.0.0.2").has_value());
  a->reset();
  EXPECT_EQ(admission.open(), 1);
  EXPECT_TRUE(admission.admit("10.0.0.1").has_value());
}

TEST(Admission, TheTotalCapIsServerBusy) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.sockets_total = 2;
  Admission admission(limits, clock);
  auto a = admission.admit("10.0.0.1");
  auto b = admission.admit("10.0.0.2");
  auto c = admission.admit("10.0.0.3");
  EXPECT_FALSE(c.has_value());
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().reason, CloseReason::ServerBusy);
  EXPECT_GT(c.error().retry_after_ms.value_or(0), 0);
  EXPECT_EQ(admission.open(), 2);
  b->reset();
  EXPECT_TRUE(admission.admit("10.0.0.3").has_value());
}

TEST(Admission, SocketsPerUserAreCappedAcrossAddresses) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.sockets_per_user = 2;
  Admission admission(limits, clock);
  auto a = admission.admit("10.0.0.1");
  auto b = admission.admit("10.0.0.2");
  auto c = admission.admit("10.0.0.3");
  ASSERT_TRUE(a && b && c);
  EXPECT_TRUE((*a)->bindUser("42"));
  EXPECT_TRUE((*a)->bindUser("42")) << "binding the same lease again counts nothing";
  EXPECT_TRUE((*b)->bindUser("42"));
  EXPECT_FALSE((*c)->bindUser("42"));
  EXPECT_TRUE((*c)->bindUser("43")) << "a refused bind left nothing behind";
  a->reset();
  auto d = admission.admit("10.0.0.4");
  EXPECT_TRUE((*d)->bindUser("42"));
}

// A lease keeps its address and user as the keys its counts store: the first lease of an
// address or user may close first, and the counts stay right for the others.
TEST(Admission, LeasesGiveTheirCountsBackWhicheverClosesFirst) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.sockets_per_ip = 2;
  limits.pending_auth_per_ip = 2;
  limits.sockets_per_user = 2;
  Admission admission(limits, clock);
  auto first = admission.admit(std::string("10.0.0.1"));  // a temporary: the lease keeps no pointer to it
  auto second = admission.admit("10.0.0.1");
  ASSERT_TRUE(first && second);
  EXPECT_TRUE((*first)->enterPending());
  EXPECT_TRUE((*second)->enterPending());
  EXPECT_TRUE((*first)->bindUser(std::string("42")));
  EXPECT_TRUE((*second)->bindUser("42"));
  EXPECT_FALSE(admission.admit("10.0.0.1")) << "two sockets from the address";

  first->reset();  // the lease that made both entries goes first
  using Counts = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(admission.userCounts(), (Counts{{"42", 1}}));
  auto third = admission.admit("10.0.0.1");
  ASSERT_TRUE(third);
  EXPECT_TRUE((*third)->enterPending());
  EXPECT_TRUE((*third)->bindUser("42"));
  EXPECT_EQ(admission.userCounts(), (Counts{{"42", 2}}));
  EXPECT_EQ(admission.open(), 2);

  second->reset();
  third->reset();
  EXPECT_TRUE(admission.userCounts().empty());
  EXPECT_EQ(admission.open(), 0);
  auto again = admission.admit("10.0.0.1");
  auto again2 = admission.admit("10.0.0.1");
  ASSERT_TRUE(again && again2);
  EXPECT_TRUE((*again)->enterPending() && (*again2)->enterPending());
}

TEST(Admission, PendingAuthenticationIsCappedPerIp) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.pending_auth_per_ip = 1;
  Admission admission(limits, clock);
  auto a = admission.admit("10.0.0.1");
  auto b = admission.admit("10.0.0.1");
  auto other = admission.admit("10.0.0.2");
  EXPECT_TRUE((*a)->enterPending());
  EXPECT_TRUE((*a)->enterPending()) << "idempotent";
  EXPECT_FALSE((*b)->enterPending());
  EXPECT_TRUE((*other)->enterPending());
  (*a)->authenticated();  // leaves the pending count but keeps the socket
  EXPECT_TRUE((*b)->enterPending());
  EXPECT_EQ(admission.open(), 3);
  b->reset();  // a pending socket that closes gives its place back
  auto c = admission.admit("10.0.0.1");
  EXPECT_TRUE((*c)->enterPending());
}

TEST(Admission, ConcurrentAdmissionsNeverExceedTheCaps) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.handshake_burst_per_ip = 1'000'000;
  limits.sockets_per_ip = 50;
  Admission admission(limits, clock);
  std::mutex mutex;
  std::vector<std::shared_ptr<Admission::Lease>> held;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto r = admission.admit("10.0.0.1");
        if (r) {
          std::lock_guard lock(mutex);
          held.push_back(std::move(*r));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(held.size(), 50u);
  EXPECT_EQ(admission.open(), 50);
  held.clear();
  EXPECT_EQ(admission.open(), 0);
}

}  // namespace
}  // namespace sg::auth
