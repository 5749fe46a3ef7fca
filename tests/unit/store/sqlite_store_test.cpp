// store/sqlite_store: accounts and cookie sessions in a real SQLite file in a temporary
// directory; expiry and revocation on explicit times; migration of new, empty, foreign and
// newer files.
#include "store/sqlite_store.hpp"

#include "core/clock.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace sg::store {
namespace {
namespace fs = std::filesystem;
using std::chrono::minutes;
using std::chrono::seconds;

// A directory of its own per test, removed afterwards.
class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("sockguard_store_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string path(const char* name = "sockguard.db") const { return (dir_ / name).string(); }

  std::unique_ptr<SqliteStore> open(const std::string& file) {
    std::string error;
    auto store = SqliteStore::open(file, &error);
    EXPECT_NE(store, nullptr) << error;
    return store;
  }

  // Reads PRAGMA user_version with a connection of the test's own.
  static std::int64_t schemaVersion(const std::string& file) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
    std::int64_t v = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return v;
  }

  static void execSql(const std::string& file, const char* sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  Session sessionFor(const std::string& user_id, const std::string& id_hash, TimePoint now, seconds ttl) {
    return Session{id_hash, user_id, "csrf-" + id_hash, now, now + ttl, now, "203.0.113.7", "test agent"};
  }

  fs::path dir_;
  ManualClock clock_;
};

TEST_F(SqliteStoreTest, ANewFileIsCreatedAndMigrated) {
  auto store = open(path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(fs::exists(path()));
  EXPECT_EQ(schemaVersion(path()), 1);
  EXPECT_EQ(store->accountCount(), 0u);
}

TEST_F(SqliteStoreTest, AnEmptyFileIsMigrated) {
  std::ofstream(path()).flush();  // zero bytes: what a failed first start or `touch` leaves
  ASSERT_EQ(fs::file_size(path()), 0u);
  auto store = open(path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(schemaVersion(path()), 1);
  CreateError error;
  EXPECT_TRUE(store->create("a@example.com", "hash", &error));
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndDoesNotMigrateAgain) {
  {
    auto store = open(path());
    CreateError error;
    ASSERT_TRUE(store->create("a@example.com", "hash-a", &error));
  }
  auto store = open(path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->accountCount(), 1u);
  EXPECT_EQ(schemaVersion(path()), 1);
}

TEST_F(SqliteStoreTest, AFileThatIsNotADatabaseIsRefusedNamingIt) {
  std::ofstream(path()) << std::string(8192, 'x');
  std::string error;
  EXPECT_EQ(SqliteStore::open(path(), &error), nullptr);
  EXPECT_NE(error.find(path()), std::string::npos) << error;
}

TEST_F(SqliteStoreTest, ANewerSchemaIsRefusedRatherThanDowngraded) {
  execSql(path(), "PRAGMA user_version = 99");
  std::string error;
  EXPECT_EQ(SqliteStore::open(path(), &error), nullptr);
  EXPECT_NE(error.find("newer"), std::string::npos) << error;
  EXPECT_NE(error.find(path()), std::string::npos) << error;
  EXPECT_EQ(schemaVersion(path()), 99) << "untouched";
}

TEST_F(SqliteStoreTest, AMissingDirectoryIsAnError) {
  std::string error;
  EXPECT_EQ(SqliteStore::open((dir_ / "no" / "such" / "dir" / "x.db").string(), &error), nullptr);
  EXPECT_FALSE(error.empty());
}

TEST_F(SqliteStoreTest, AccountsAreFoundByEmailAndIdAndEmailsAreUnique) {
  auto store = open(path());
  CreateError error = CreateError::StorageFailed;
  auto a = store->create("a@example.com", "hash-a", &error);
  ASSERT_TRUE(a);
  EXPECT_EQ(error, CreateError::None);
  auto b = store->create("b@example.com", "hash-b", &error);
  ASSERT_TRUE(b);
  EXPECT_NE(a->id, b->id);

  auto by_email = store->findByEmail("a@example.com");
  ASSERT_TRUE(by_email);
  EXPECT_EQ(by_email->id, a->id);
  EXPECT_EQ(by_email->password_hash, "hash-a");
  auto by_id = store->findById(b->id);
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->email, "b@example.com");

  EXPECT_FALSE(store->create("a@example.com", "other", &error));
  EXPECT_EQ(error, CreateError::EmailTaken);
  EXPECT_EQ(store->findByEmail("a@example.com")->password_hash, "hash-a") << "the first account is untouched";
  EXPECT_FALSE(store->findByEmail("nobody@example.com"));
  EXPECT_FALSE(store->findById("999"));
  EXPECT_EQ(store->accountCount(), 2u);
}

TEST_F(SqliteStoreTest, QuotesInValuesAreData) {
  auto store = open(path());
  CreateError error;
  const std::string email = "x'); DROP TABLE accounts; --@example.com";
  ASSERT_TRUE(store->create(email, "h", &error));
  EXPECT_TRUE(store->findByEmail(email));
  EXPECT_FALSE(store->findByEmail("' OR '1'='1"));
  EXPECT_EQ(store->accountCount(), 1u);
}

TEST_F(SqliteStoreTest, ConcurrentRegistrationsOfOneEmailMakeOneAccount) {
  auto store = open(path());
  std::atomic<int> created{0}, taken{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      CreateError error;
      if (store->create("race@example.com", "h", &error)) created++;
      else if (error == CreateError::EmailTaken) taken++;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), 7);
}

TEST_F(SqliteStoreTest, ASessionLivesUntilItsExpiry) {
  auto store = open(path());
  CreateError error;
  auto account = store->create("a@example.com", "h", &error);
  auto now = clock_.now();
  ASSERT_TRUE(store->create(sessionFor(account->id, "s1", now, seconds(3600))));

  auto live = store->findLive("s1", now);
  ASSERT_TRUE(live);
  EXPECT_EQ(live->user_id, account->id);
  EXPECT_EQ(live->csrf_token, "csrf-s1");
  EXPECT_EQ(live->expires_at, now + seconds(3600));
  EXPECT_EQ(live->ip, "203.0.113.7");
  EXPECT_EQ(live->user_agent, "test agent");

  clock_.advance(seconds(3599));
  EXPECT_TRUE(store->findLive("s1", clock_.now()));
  clock_.advance(seconds(1));
  EXPECT_FALSE(store->findLive("s1", clock_.now())) << "at expires_at the session is over";
  EXPECT_FALSE(store->findLive("unknown", now));
}

TEST_F(SqliteStoreTest, ARevokedSessionIsGoneForGood) {
  auto store = open(path());
  CreateError error;
  auto account = store->create("a@example.com", "h", &error);
  auto now = clock_.now();
  ASSERT_TRUE(store->create(sessionFor(account->id, "s1", now, seconds(3600))));
  ASSERT_TRUE(store->create(sessionFor(account->id, "s2", now, seconds(3600))));
  EXPECT_TRUE(store->revoke("s1", now));
  EXPECT_FALSE(store->findLive("s1", now));
  EXPECT_FALSE(store->revoke("s1", now)) << "revoking twice changes nothing";
  EXPECT_FALSE(store->revoke("unknown", now));
  EXPECT_TRUE(store->findLive("s2", now)) << "the user's other session is untouched";
  // Revocation survives a restart.
  store.reset();
  store = open(path());
  EXPECT_FALSE(store->findLive("s1", now));
}

TEST_F(SqliteStoreTest, SessionsNeedAnExistingAccountAndAUniqueId) {
  auto store = open(path());
  auto now = clock_.now();
  EXPECT_FALSE(store->create(sessionFor("12345", "orphan", now, seconds(60)))) << "foreign key";
  CreateError error;
  auto account = store->create("a@example.com", "h", &error);
  ASSERT_TRUE(store->create(sessionFor(account->id, "s1", now, seconds(60))));
  EXPECT_FALSE(store->create(sessionFor(account->id, "s1", now, seconds(600)))) << "id_hash is the key";
  EXPECT_EQ(store->findLive("s1", now)->expires_at, now + seconds(60));
}

TEST_F(SqliteStoreTest, LastUseIsRecordedToTheMinute) {
  auto store = open(path());
  CreateError error;
  auto account = store->create("a@example.com", "h", &error);
  auto created = clock_.now();
  ASSERT_TRUE(store->create(sessionFor(account->id, "s1", created, seconds(3600))));
  clock_.advance(seconds(30));
  EXPECT_EQ(store->findLive("s1", clock_.now())->last_used_at, created) << "not written within the minute";
  clock_.advance(minutes(2));
  auto used = clock_.now();
  EXPECT_EQ(store->findLive("s1", used)->last_used_at, used);
  clock_.advance(seconds(1));
  EXPECT_EQ(store->findLive("s1", clock_.now())->last_used_at, used) << "the write was stored";
}

}  // namespace
}  // namespace sg::store
