// Password hashing admission: per client IP and in all, places held by passes.
#include "auth/hashing_gate.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

namespace sg::auth {
namespace {

TEST(HashingGate, AdmitsUpToPerIpThenRefusesThatIpOnly) {
  HashingGate gate(2, 100);
  auto a = gate.enter("10.0.0.1");
  auto b = gate.enter("10.0.0.1");
  ASSERT_TRUE(a.pass && b.pass);
  auto c = gate.enter("10.0.0.1");
  EXPECT_EQ(c.pass, nullptr);
  EXPECT_EQ(c.refusal, HashingGate::Refusal::PerIp);
  // Another address is not held up by the first one's.
  EXPECT_TRUE(gate.enter("10.0.0.2").pass);
}

TEST(HashingGate, RefusesEveryoneOverTheTotal) {
  HashingGate gate(5, 3);
  std::vector<HashingGate::Result> held;
  for (const char* ip : {"10.0.0.1", "10.0.0.2", "10.0.0.3"}) held.push_back(gate.enter(ip));
  EXPECT_EQ(gate.pending(), 3);
  auto over = gate.enter("10.0.0.4");
  EXPECT_EQ(over.pass, nullptr);
  EXPECT_EQ(over.refusal, HashingGate::Refusal::Total);
}

TEST(HashingGate, APassGivesItsPlacesBackWhenTheLastCopyGoes) {
  HashingGate gate(1, 1);
  auto first = gate.enter("10.0.0.1");
  auto copy = first.pass;  // the hashing task holds a copy
  first.pass.reset();
  EXPECT_EQ(gate.enter("10.0.0.1").refusal, HashingGate::Refusal::Total);
  copy.reset();
  EXPECT_EQ(gate.pending(), 0);
  EXPECT_TRUE(gate.enter("10.0.0.1").pass);
}

TEST(HashingGate, RacingLoginsNeverGetMorePlacesThanTheTotal) {
  HashingGate gate(1000, 50);
  std::mutex mutex;
  std::vector<std::shared_ptr<HashingGate::Pass>> held;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        auto r = gate.enter("10.0.0." + std::to_string(t));
        if (r.pass) {
          std::lock_guard lock(mutex);
          held.push_back(std::move(r.pass));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(held.size(), 50u);
  EXPECT_EQ(gate.pending(), 50);
  held.clear();
  EXPECT_EQ(gate.pending(), 0);
}

}  // namespace
}  // namespace sg::auth
