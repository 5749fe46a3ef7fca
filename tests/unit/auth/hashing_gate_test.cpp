// Password hashing admission: per client IP and in all, places held by passes.
#include "auth/hashing_gate.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sg::auth
