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
  std::vector<std::unique_ptr<Admission::Lease>> held;
  for (int i = 0; i < 3; ++i) {
    auto r = admission.admit("10.0.0.1");
    ASSERT_TRUE(r.lease) << i;
    EXPECT_FALSE(r.refusal);
    held.push_back(std::move(r.lease));
  }
  auto over = admission.admit("10.0.0.1");
  EXPECT_EQ(over.lease, nullptr);
  ASSERT_TRUE(over.refusal);
  EXPECT_FALSE(over.refusal->accepted);
  EXPECT_EQ(over.refusal->reason, CloseReason::RateLimited);
  EXPECT_EQ(over.refusal->retry_after_ms, 500);  // one handshake at 2/s
  // Closing sockets does not give handshakes back: the rate counts attempts, not sockets.
  held.clear();
  EXPECT_FALSE(admission.admit("10.0.0.1").lease);
  EXPECT_TRUE(admission.admit("10.0.0.2").lease) << "another address has its own budget";
  clock.advance(std::chrono::milliseconds(500));
  EXPECT_TRUE(admission.admit("10.0.0.1").lease);
}

TEST(Admission, SocketsPerIpAreCappedUntilOneCloses) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.sockets_per_ip = 2;
  Admission admission(limits, clock);
  auto a = admission.admit("10.0.0.1");
  auto b = admission.admit("10.0.0.1");
  ASSERT_TRUE(a.lease && b.lease);
  auto c = admission.admit("10.0.0.1");
  EXPECT_EQ(c.lease, nullptr);
  ASSERT_TRUE(c.refusal);
  EXPECT_EQ(c.refusal->reason, CloseReason::RateLimited);
  EXPECT_GT(c.refusal->retry_after_ms.value_or(0), 0);
  EXPECT_EQ(admission.open(), 2) << "a refused socket holds no place";
  EXPECT_TRUE(admission.admit("10.0.0.2").lease);
  a.lease.reset();
  EXPECT_EQ(admission.open(), 1);
  EXPECT_TRUE(admission.admit("10.0.0.1").lease);
}

TEST(Admission, TheTotalCapIsServerBusy) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.sockets_total = 2;
  Admission admission(limits, clock);
  auto a = admission.admit("10.0.0.1");
  auto b = admission.admit("10.0.0.2");
  auto c = admission.admit("10.0.0.3");
  EXPECT_EQ(c.lease, nullptr);
  ASSERT_TRUE(c.refusal);
  EXPECT_EQ(c.refusal->reason, CloseReason::ServerBusy);
  EXPECT_GT(c.refusal->retry_after_ms.value_or(0), 0);
  EXPECT_EQ(admission.open(), 2);
  b.lease.reset();
  EXPECT_TRUE(admission.admit("10.0.0.3").lease);
}

TEST(Admission, SocketsPerUserAreCappedAcrossAddresses) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.sockets_per_user = 2;
  Admission admission(limits, clock);
  auto a = admission.admit("10.0.0.1");
  auto b = admission.admit("10.0.0.2");
  auto c = admission.admit("10.0.0.3");
  ASSERT_TRUE(a.lease && b.lease && c.lease);
  EXPECT_TRUE(a.lease->bindUser("42"));
  EXPECT_TRUE(a.lease->bindUser("42")) << "binding the same lease again counts nothing";
  EXPECT_TRUE(b.lease->bindUser("42"));
  EXPECT_FALSE(c.lease->bindUser("42"));
  EXPECT_TRUE(c.lease->bindUser("43")) << "a refused bind left nothing behind";
  a.lease.reset();
  auto d = admission.admit("10.0.0.4");
  EXPECT_TRUE(d.lease->bindUser("42"));
}

TEST(Admission, PendingAuthenticationIsCappedPerIp) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.pending_auth_per_ip = 1;
  Admission admission(limits, clock);
  auto a = admission.admit("10.0.0.1");
  auto b = admission.admit("10.0.0.1");
  auto other = admission.admit("10.0.0.2");
  EXPECT_TRUE(a.lease->enterPending());
  EXPECT_TRUE(a.lease->enterPending()) << "idempotent";
  EXPECT_FALSE(b.lease->enterPending());
  EXPECT_TRUE(other.lease->enterPending());
  a.lease->authenticated();  // leaves the pending count but keeps the socket
  EXPECT_TRUE(b.lease->enterPending());
  EXPECT_EQ(admission.open(), 3);
  b.lease.reset();  // a pending socket that closes gives its place back
  auto c = admission.admit("10.0.0.1");
  EXPECT_TRUE(c.lease->enterPending());
}

TEST(Admission, ConcurrentAdmissionsNeverExceedTheCaps) {
  ManualClock clock;
  LimitsConfig limits = roomy();
  limits.handshake_burst_per_ip = 1'000'000;
  limits.sockets_per_ip = 50;
  Admission admission(limits, clock);
  std::mutex mutex;
  std::vector<std::unique_ptr<Admission::Lease>> held;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        auto r = admission.admit("10.0.0.1");
        if (r.lease) {
          std::lock_guard lock(mutex);
          held.push_back(std::move(r.lease));
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
