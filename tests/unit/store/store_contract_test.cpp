// store/: the behaviour every AccountStore/SessionStore must have, run on each back end
// (SQLite, PostgreSQL): unique e-mails (also under a race), sessions that end at their
// expiry or revocation, a foreign key to the account, last use kept to the minute, and
// values that are data, never SQL.
#include "store_backends.hpp"

#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sg::store {
namespace {
using std::chrono::minutes;
using std::chrono::seconds;

class StoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    opened_ = testing::openStores(GetParam(), ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_NE(opened_, nullptr);
  }

  AccountStore& accounts() { return opened_->accounts(); }
  SessionStore& sessions() { return opened_->sessions(); }

  Account account(const std::string& email) {
    auto created = accounts().create(email, "hash-of-" + email);
    EXPECT_TRUE(created) << created.error().message();
    return created ? *created : Account{};
  }

  static Session sessionFor(const std::string& user_id, const std::string& id_hash, TimePoint now, seconds ttl) {
    return Session{id_hash, user_id, "csrf-" + id_hash, now, now + ttl, now, "203.0.113.7", "test agent"};
  }

  std::unique_ptr<testing::OpenedStores> opened_;
  ManualClock clock_;
};

TEST_P(StoreContractTest, AccountsAreFoundByEmailAndIdAndEmailsAreUnique) {
  auto a = accounts().create("a@example.com", "hash-a");
  ASSERT_TRUE(a);
  auto b = accounts().create("b@example.com", "hash-b");
  ASSERT_TRUE(b);
  EXPECT_NE(a->id, b->id);
  EXPECT_EQ(a->email, "a@example.com");

  auto by_email = accounts().findByEmail("a@example.com");
  ASSERT_TRUE(by_email && *by_email);
  EXPECT_EQ((*by_email)->id, a->id);
  EXPECT_EQ((*by_email)->password_hash, "hash-a");
  auto by_id = accounts().findById(b->id);
  ASSERT_TRUE(by_id && *by_id);
  EXPECT_EQ((*by_id)->email, "b@example.com");

  auto again = accounts().create("a@example.com", "other");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), Errc::already_exists);
  EXPECT_EQ((*accounts().findByEmail("a@example.com"))->password_hash, "hash-a") << "the first account is untouched";

  auto nobody = accounts().findByEmail("nobody@example.com");
  ASSERT_TRUE(nobody) << "no account is an answer, not an error";
  EXPECT_FALSE(*nobody);
  auto no_id = accounts().findById("999999");
  ASSERT_TRUE(no_id);
  EXPECT_FALSE(*no_id);
}

TEST_P(StoreContractTest, AnIdThatIsNotANumberIsNoAccount) {
  account("a@example.com");
  for (const char* id : {"", "abc", "1 OR 1=1", "99999999999999999999999"}) {
    auto found = accounts().findById(id);
    ASSERT_TRUE(found) << id << ": " << found.error().message();
    EXPECT_FALSE(*found) << id;
  }
}

TEST_P(StoreContractTest, QuotesInValuesAreData) {
  const std::string email = "x'); DROP TABLE accounts; --@example.com";
  ASSERT_TRUE(accounts().create(email, "h"));
  auto found = accounts().findByEmail(email);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ((*found)->email, email);
  EXPECT_FALSE(*accounts().findByEmail("' OR '1'='1"));
  EXPECT_TRUE(accounts().create("second@example.com", "h")) << "the table is still there";
}

TEST_P(StoreContractTest, ConcurrentRegistrationsOfOneEmailMakeOneAccount) {
  std::atomic<int> created{0}, taken{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto r = accounts().create("race@example.com", "h");
      if (r) created++;
      else if (r.error() == Errc::already_exists) taken++;
      else other++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), 7);
  EXPECT_EQ(other.load(), 0);
}

TEST_P(StoreContractTest, ASessionLivesUntilItsExpiry) {
  auto user = account("a@example.com");
  auto now = clock_.now();
  ASSERT_TRUE(sessions().create(sessionFor(user.id, "s1", now, seconds(3600))));

  auto live = sessions().findLive("s1", now);
  ASSERT_TRUE(live && *live);
  EXPECT_EQ((*live)->id_hash, "s1");
  EXPECT_EQ((*live)->user_id, user.id);
  EXPECT_EQ((*live)->csrf_token, "csrf-s1");
  EXPECT_EQ((*live)->created_at, now);
  EXPECT_EQ((*live)->expires_at, now + seconds(3600));
  EXPECT_EQ((*live)->ip, "203.0.113.7");
  EXPECT_EQ((*live)->user_agent, "test agent");

  clock_.advance(seconds(3599));
  EXPECT_TRUE(*sessions().findLive("s1", clock_.now()));
  clock_.advance(seconds(1));
  auto over = sessions().findLive("s1", clock_.now());
  ASSERT_TRUE(over);
  EXPECT_FALSE(*over) << "at expires_at the session is over";
  EXPECT_FALSE(*sessions().findLive("unknown", now));
}

TEST_P(StoreContractTest, ARevokedSessionIsGoneForGood) {
  auto user = account("a@example.com");
  auto now = clock_.now();
  ASSERT_TRUE(sessions().create(sessionFor(user.id, "s1", now, seconds(3600))));
  ASSERT_TRUE(sessions().create(sessionFor(user.id, "s2", now, seconds(3600))));
  auto revoked = sessions().revoke("s1", now);
  ASSERT_TRUE(revoked);
  EXPECT_TRUE(*revoked);
  EXPECT_FALSE(*sessions().findLive("s1", now));
  EXPECT_FALSE(*sessions().revoke("s1", now)) << "revoking twice changes nothing";
  EXPECT_FALSE(*sessions().revoke("unknown", now));
  EXPECT_TRUE(*sessions().findLive("s2", now)) << "the user's other session is untouched";
}

TEST_P(StoreContractTest, SessionsNeedAnExistingAccountAndAUniqueId) {
  auto now = clock_.now();
  auto orphan = sessions().create(sessionFor("12345", "orphan", now, seconds(60)));
  ASSERT_FALSE(orphan) << "foreign key";
  EXPECT_EQ(orphan.error(), Errc::not_found);
  auto user = account("a@example.com");
  ASSERT_TRUE(sessions().create(sessionFor(user.id, "s1", now, seconds(60))));
  auto twice = sessions().create(sessionFor(user.id, "s1", now, seconds(600)));
  ASSERT_FALSE(twice) << "id_hash is the key";
  EXPECT_EQ(twice.error(), Errc::already_exists);
  EXPECT_EQ((*sessions().findLive("s1", now))->expires_at, now + seconds(60));
}

TEST_P(StoreContractTest, LastUseIsRecordedToTheMinute) {
  auto user = account("a@example.com");
  auto created = clock_.now();
  ASSERT_TRUE(sessions().create(sessionFor(user.id, "s1", created, seconds(3600))));
  clock_.advance(seconds(30));
  EXPECT_EQ((*sessions().findLive("s1", clock_.now()))->last_used_at, created) << "not written within the minute";
  clock_.advance(minutes(2));
  auto used = clock_.now();
  EXPECT_EQ((*sessions().findLive("s1", used))->last_used_at, used);
  clock_.advance(seconds(1));
  EXPECT_EQ((*sessions().findLive("s1", clock_.now()))->last_used_at, used) << "the write was stored";
}

std::string backendName(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::Values("sqlite", "postgres"), backendName);

}  // namespace
}  // namespace sg::store
