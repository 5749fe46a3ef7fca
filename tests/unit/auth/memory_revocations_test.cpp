// MemoryRevocations: session and user records, their expiry (sweep on a ManualClock), and
// the announcements that close sockets, made only once the record can be read.
#include "auth/memory_revocations.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <utility>
#include <vector>

namespace sg::auth {
namespace {

using namespace std::chrono_literals;

class MemoryRevocationsTest : public ::testing::Test {
 protected:
  Identity session(std::string user, std::string ref) {
    Identity who;
    who.user_id = std::move(user);
    who.session_id = std::move(ref);
    who.kind = CredentialKind::Session;
    who.issued_at = clock.now();
    return who;
  }
  Identity jwtIssuedAt(std::string user, std::optional<Revocations::TimePoint> iat) {
    Identity who;
    who.user_id = std::move(user);
    who.kind = CredentialKind::Jwt;
    who.issued_at = iat;
    return who;
  }
  bool revoked(const Identity& who) {
    std::optional<bool> out;
    revocations.check(who, [&](boost::system::result<bool> r) {
      ASSERT_TRUE(r);
      out = *r;
    });
    EXPECT_TRUE(out.has_value()) << "check did not answer";
    // The on-the-spot form (what the credential path asks first) says the same.
    auto now = revocations.checkNow(who);
    EXPECT_TRUE(now && *now) << "checkNow did not answer";
    if (now && *now && out) {
      EXPECT_EQ(**now, *out);
    }
    return out.value_or(false);
  }

  ManualClock clock;
  MemoryRevocations revocations{clock};
};

TEST_F(MemoryRevocationsTest, ARevokedSessionIsRevokedAndOnlyThatSession) {
  revocations.revokeSession("7", "ref-1", clock.now() + 1h);
  EXPECT_TRUE(revoked(session("7", "ref-1")));
  EXPECT_FALSE(revoked(session("7", "ref-2")));
  // A credential of the user without a session (a JWT) is not touched by a logout.
  EXPECT_FALSE(revoked(jwtIssuedAt("7", clock.now() - 1h)));
}

TEST_F(MemoryRevocationsTest, AnonymousIsNeverRevoked) {
  revocations.revokeUser("", clock.now(), 1h);
  EXPECT_FALSE(revoked(Identity{}));
}

TEST_F(MemoryRevocationsTest, ASessionRevocationWithoutASessionRecordsNothing) {
  int announced = 0;
  revocations.setOnRevoked([&](const std::string&, const std::string&) { ++announced; });
  revocations.revokeSession("7", "", clock.now() + 1h);
  EXPECT_EQ(announced, 0);
  EXPECT_FALSE(revoked(session("7", "")));
}

TEST_F(MemoryRevocationsTest, AUserRevocationVoidsCredentialsIssuedAtOrBeforeIt) {
  auto at = clock.now();
  revocations.revokeUser("42", at, 24h);
  EXPECT_TRUE(revoked(jwtIssuedAt("42", at - 1s)));
  EXPECT_TRUE(revoked(jwtIssuedAt("42", at)));
  EXPECT_FALSE(revoked(jwtIssuedAt("42", at + 1s)));
  // Without an issue time a credential cannot show it came after.
  EXPECT_TRUE(revoked(jwtIssuedAt("42", std::nullopt)));
  // Its sessions too, whatever their reference.
  Identity cookie = session("42", "any-ref");
  cookie.issued_at = at - 1h;
  EXPECT_TRUE(revoked(cookie));
  // Nobody else, and no user whose id merely starts the same.
  EXPECT_FALSE(revoked(jwtIssuedAt("4", at - 1s)));
  EXPECT_FALSE(revoked(jwtIssuedAt("420", at - 1s)));
}

TEST_F(MemoryRevocationsTest, AnEarlierUserRevocationDoesNotUndoALaterOne) {
  auto later = clock.now() + 10s;
  revocations.revokeUser("42", later, 1h);
  revocations.revokeUser("42", clock.now(), 1h);
  EXPECT_TRUE(revoked(jwtIssuedAt("42", later - 1s)));
}

TEST_F(MemoryRevocationsTest, AnnouncesEachRevocationToTheNode) {
  std::vector<std::pair<std::string, std::string>> announced;
  revocations.setOnRevoked(
      [&](const std::string& user, const std::string& ref) { announced.emplace_back(user, ref); });
  revocations.revokeSession("7", "ref-1", clock.now() + 1h);
  revocations.revokeUser("42", clock.now(), 1h);
  std::vector<std::pair<std::string, std::string>> expected{{"7", "ref-1"}, {"42", ""}};
  EXPECT_EQ(announced, expected);
}

// A socket that registers while the announcement runs must find the record: the record
// comes first.
TEST_F(MemoryRevocationsTest, TheRecordIsReadableWhenTheAnnouncementRuns) {
  std::vector<bool> seen;
  revocations.setOnRevoked([&](const std::string& user, const std::string& ref) {
    seen.push_back(ref.empty() ? revoked(jwtIssuedAt(user, clock.now())) : revoked(session(user, ref)));
  });
  revocations.revokeSession("7", "ref-1", clock.now() + 1h);
  revocations.revokeUser("42", clock.now(), 1h);
  EXPECT_EQ(seen, (std::vector<bool>{true, true}));
}

TEST_F(MemoryRevocationsTest, SweepDropsRecordsWhoseTimeIsOver) {
  revocations.revokeSession("7", "short", clock.now() + 10s);
  revocations.revokeSession("7", "long", clock.now() + 1h);
  revocations.revokeUser("42", clock.now(), 20s);
  auto before = clock.now();
  EXPECT_EQ(revocations.sweep(), 0u);
  clock.advance(10s);
  EXPECT_EQ(revocations.sweep(), 0u);  // a record lives until its time, inclusive
  clock.advance(1s);
  EXPECT_EQ(revocations.sweep(), 1u);
  EXPECT_FALSE(revoked(session("7", "short")));
  EXPECT_TRUE(revoked(session("7", "long")));
  EXPECT_TRUE(revoked(jwtIssuedAt("42", before)));
  clock.advance(10s);
  EXPECT_EQ(revocations.sweep(), 1u);
  EXPECT_FALSE(revoked(jwtIssuedAt("42", before)));
}

// With no records a check takes no lock; records made after the last one was swept away
// are seen again at once.
TEST_F(MemoryRevocationsTest, ARevocationAfterTheRecordsWereAllSweptIsSeen) {
  EXPECT_FALSE(revoked(session("7", "ref-1")));
  revocations.revokeSession("7", "ref-1", clock.now() + 10s);
  EXPECT_TRUE(revoked(session("7", "ref-1")));
  clock.advance(11s);
  EXPECT_EQ(revocations.sweep(), 1u);
  EXPECT_FALSE(revoked(session("7", "ref-1")));
  revocations.revokeUser("7", clock.now(), 1h);
  EXPECT_TRUE(revoked(session("7", "ref-2")));
  revocations.revokeSession("8", "ref-8", clock.now() + 1h);
  EXPECT_TRUE(revoked(session("8", "ref-8")));
}

TEST_F(MemoryRevocationsTest, ASessionRevokedTwiceKeepsTheLongerRecord) {
  revocations.revokeSession("7", "ref-1", clock.now() + 1h);
  revocations.revokeSession("7", "ref-1", clock.now() + 10s);
  clock.advance(1min);
  revocations.sweep();
  EXPECT_TRUE(revoked(session("7", "ref-1")));
}

}  // namespace
}  // namespace sg::auth
