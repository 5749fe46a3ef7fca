// store/sqlite_store: what is SQLite's own (the behaviour shared with PostgreSQL is in
// store_contract_test.cpp): a real file in a temporary directory, migration of new, empty,
// foreign and newer files, data kept across reopening, and a locked file that answers
// Errc::unavailable.
#include "store/sqlite_store.hpp"

#include "core/clock.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sg::store {
namespace {
namespace fs = std::filesystem;
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
  EXPECT_TRUE(store->create("a@example.com", "hash"));
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndDoesNotMigrateAgain) {
  {
    auto store = open(path());
    ASSERT_TRUE(store->create("a@example.com", "hash-a"));
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

TEST_F(SqliteStoreTest, RevocationSurvivesAReopening) {
  auto store = open(path());
  auto account = store->create("a@example.com", "h");
  ASSERT_TRUE(account);
  auto now = clock_.now();
  ASSERT_TRUE(store->create(sessionFor(account->id, "s1", now, seconds(3600))));
  ASSERT_TRUE(*store->revoke("s1", now));
  store.reset();
  store = open(path());
  auto found = store->findLive("s1", now);
  ASSERT_TRUE(found);
  EXPECT_FALSE(*found);
}

TEST_F(SqliteStoreTest, ALockedDatabaseIsUnavailableNotAnAnswer) {
  std::string error;
  auto store = SqliteStore::open(path(), &error, std::chrono::milliseconds(50));
  ASSERT_NE(store, nullptr) << error;
  auto account = store->create("a@example.com", "h");
  ASSERT_TRUE(account);
  auto now = clock_.now();
  ASSERT_TRUE(store->create(sessionFor(account->id, "s1", now, seconds(3600))));
  // Another connection holds the write lock past the busy timeout: writes must say they
  // cannot be done now, not that the e-mail is taken or the session unknown.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path().c_str(), &other), SQLITE_OK);
  const char* hold_write_lock = "BEGIN IMMEDIATE; DELETE FROM sessions WHERE id_hash = 'none';";
  ASSERT_EQ(sqlite3_exec(other, hold_write_lock, nullptr, nullptr, nullptr), SQLITE_OK);
  auto created = store->create("b@example.com", "h");
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error(), Errc::unavailable);
  auto session = store->create(sessionFor(account->id, "s2", now, seconds(3600)));
  ASSERT_FALSE(session);
  EXPECT_EQ(session.error(), Errc::unavailable);
  auto revoked = store->revoke("s1", now);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error(), Errc::unavailable);
  // WAL: reads go on beside the writer.
  EXPECT_TRUE(*store->findLive("s1", now));
  sqlite3_exec(other, "ROLLBACK;", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE(store->create("b@example.com", "h")) << "answers again once the lock is gone";
  EXPECT_TRUE(*store->revoke("s1", now));
}

}  // namespace
}  // namespace sg::store
