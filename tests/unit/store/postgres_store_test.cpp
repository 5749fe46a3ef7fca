// store/postgres_store, pg_migrations, pg_pool: what is PostgreSQL's own (the behaviour
// shared with SQLite is in store_contract_test.cpp), on a real server the test starts:
// migrations that run once when several nodes start together on an empty database, are
// idempotent and refuse a newer schema; a server that stops gives Errc::unavailable (never
// "no such account") and a restarted one is used again without reopening the store; the
// password never appears in an error.
#include "pg_test_server.hpp"

#include "core/clock.hpp"
#include "store/pg_migrations.hpp"
#include "store/postgres_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sg::store {
namespace {
using testing::PgTestServer;
using std::chrono::seconds;

class PostgresStoreTest : public ::testing::Test {
 protected:
  PgTestServer& server() {
    std::string why;
    auto* s = PgTestServer::shared(&why);
    if (!s) throw std::runtime_error("PostgreSQL: " + why);
    return *s;
  }

  std::string newDatabase() {
    static std::atomic<int> counter{0};
    std::string name = "pgstore_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    std::string why;
    EXPECT_TRUE(server().createDatabase(name, &why)) << why;
    return name;
  }

  std::unique_ptr<PostgresStore> open(const std::string& url, std::string* error) {
    return PostgresStore::open({url, 4, std::chrono::milliseconds(1000)}, error);
  }

  std::string count(const std::string& db, const std::string& sql) {
    std::string why;
    auto v = server().query(db, sql, &why);
    EXPECT_TRUE(why.empty()) << why;
    return v;
  }
};

TEST_F(PostgresStoreTest, NodesStartingTogetherOnAnEmptyDatabaseAllMigrateOnce) {
  auto db = newDatabase();
  std::string url = server().url(db);
  constexpr std::size_t kNodes = 6;
  std::vector<std::unique_ptr<PostgresStore>> stores(kNodes);
  std::vector<std::string> errors(kNodes);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < kNodes; ++i) threads.emplace_back([&, i] { stores[i] = open(url, &errors[i]); });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < kNodes; ++i) EXPECT_NE(stores[i], nullptr) << errors[i];
  EXPECT_EQ(count(db, "SELECT count(*) FROM sockguard_schema_migrations"), std::to_string(postgresSchemaVersion()));
  EXPECT_EQ(count(db, "SELECT max(version) FROM sockguard_schema_migrations"), std::to_string(postgresSchemaVersion()));
  // Every node works on the one schema.
  ASSERT_TRUE(stores[0]->create("a@example.com", "h"));
  auto taken = stores[kNodes - 1]->create("a@example.com", "h");
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error(), Errc::already_exists);
}

TEST_F(PostgresStoreTest, OpeningAgainKeepsDataAndDoesNotMigrateAgain) {
  auto db = newDatabase();
  std::string error;
  {
    auto store = open(server().url(db), &error);
    ASSERT_NE(store, nullptr) << error;
    ASSERT_TRUE(store->create("a@example.com", "hash-a"));
  }
  auto store = open(server().url(db), &error);
  ASSERT_NE(store, nullptr) << error;
  EXPECT_EQ((*store->findByEmail("a@example.com"))->password_hash, "hash-a");
  EXPECT_EQ(count(db, "SELECT count(*) FROM sockguard_schema_migrations"), "1");
}

TEST_F(PostgresStoreTest, ANewerSchemaIsRefusedRatherThanDowngraded) {
  auto db = newDatabase();
  std::string why;
  server().query(db,
                 "CREATE TABLE sockguard_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz "
                 "NOT NULL DEFAULT now()); INSERT INTO sockguard_schema_migrations(version) VALUES (99)",
                 &why);
  ASSERT_TRUE(why.empty()) << why;
  std::string error;
  EXPECT_EQ(open(server().url(db), &error), nullptr);
  EXPECT_NE(error.find("newer"), std::string::npos) << error;
  EXPECT_EQ(count(db, "SELECT max(version) FROM sockguard_schema_migrations"), "99") << "untouched";
}

TEST_F(PostgresStoreTest, AServerThatCannotBeReachedFailsTheStartWithoutThePassword) {
  // A port nothing listens on: the URL is the shared server's with another port.
  std::string url = "postgresql://sockguard:" + std::string(testing::kPgTestPassword) + "@127.0.0.1:1/nowhere";
  std::string error;
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(PostgresStore::open({url, 2, std::chrono::milliseconds(600)}, &error), nullptr);
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(500)) << "it kept trying";
  EXPECT_NE(error.find("127.0.0.1"), std::string::npos) << error;
  EXPECT_EQ(error.find(testing::kPgTestPassword), std::string::npos) << error;
  EXPECT_NE(error.find("[REDACTED]"), std::string::npos) << error;
}

TEST_F(PostgresStoreTest, AWrongPasswordIsRefusedAndNotShown) {
  auto db = newDatabase();
  std::string url = server().url(db);
  url.replace(url.find(testing::kPgTestPassword), std::string(testing::kPgTestPassword).size(), "wrong-password-xyz");
  std::string error;
  EXPECT_EQ(PostgresStore::open({url, 2, std::chrono::milliseconds(300)}, &error), nullptr);
  EXPECT_NE(error.find("password authentication failed"), std::string::npos) << error;
  EXPECT_EQ(error.find("wrong-password-xyz"), std::string::npos) << error;
}

TEST_F(PostgresStoreTest, AStatementTheServerRefusesIsUnavailableNotAnAnswer) {
  auto db = newDatabase();
  std::string error;
  auto store = open(server().url(db), &error);
  ASSERT_NE(store, nullptr) << error;
  ASSERT_TRUE(*store->findLive("s1", TimePoint{seconds(1'700'000'000)}) == std::nullopt);
  // The table goes away under the store (an operator's mistake, a restore in progress):
  // the lookup must not read as "no such session".
  std::string why;
  server().query(db, "ALTER TABLE sessions RENAME TO sessions_elsewhere", &why);
  ASSERT_TRUE(why.empty()) << why;
  auto found = store->findLive("s1", TimePoint{seconds(1'700'000'000)});
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error(), Errc::unavailable);
  server().query(db, "ALTER TABLE sessions_elsewhere RENAME TO sessions", &why);
  ASSERT_TRUE(why.empty()) << why;
  EXPECT_TRUE(store->findLive("s1", TimePoint{seconds(1'700'000'000)})) << "answers again";
}

// A server of its own: this test stops it.
TEST(PostgresStoreOutage, StoppedIsUnavailableAndRestartedWorksAgainWithoutReopening) {
  std::string why;
  auto server = PgTestServer::start(&why);
  ASSERT_NE(server, nullptr) << why;
  ASSERT_TRUE(server->createDatabase("outage", &why)) << why;
  auto store = PostgresStore::open({server->url("outage"), 3, std::chrono::seconds(5)}, &why);
  ASSERT_NE(store, nullptr) << why;
  ManualClock clock;
  auto now = clock.now();
  auto account = store->create("a@example.com", "h");
  ASSERT_TRUE(account);
  Session session{"s1", account->id, "csrf", now, now + seconds(3600), now, "203.0.113.7", "agent"};
  ASSERT_TRUE(store->create(session));
  // Every pooled connection has been used, so every one of them breaks at the stop.
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) readers.emplace_back([&] { EXPECT_TRUE(*store->findLive("s1", now)); });
  for (auto& t : readers) t.join();
  EXPECT_TRUE(store->probe());
  EXPECT_TRUE(store->reachable());

  ASSERT_TRUE(server->stop());
  auto found = store->findByEmail("a@example.com");
  ASSERT_FALSE(found) << "down is not \"no such account\"";
  EXPECT_EQ(found.error(), Errc::unavailable);
  auto by_id = store->findById(account->id);
  ASSERT_FALSE(by_id);
  EXPECT_EQ(by_id.error(), Errc::unavailable);
  auto created = store->create("b@example.com", "h");
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error(), Errc::unavailable);
  auto live = store->findLive("s1", now);
  ASSERT_FALSE(live) << "down is not \"no session\"";
  EXPECT_EQ(live.error(), Errc::unavailable);
  auto revoked = store->revoke("s1", now);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error(), Errc::unavailable);
  EXPECT_FALSE(store->create(Session{"s2", account->id, "c", now, now + seconds(60), now, "ip", "ua"}));
  EXPECT_FALSE(store->probe());
  EXPECT_FALSE(store->reachable());

  // While it is down, calls do not each wait on a connect: a burst is answered at once.
  auto burst_start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) EXPECT_FALSE(store->findByEmail("a@example.com"));
  EXPECT_LT(std::chrono::steady_clock::now() - burst_start, std::chrono::seconds(2));

  ASSERT_TRUE(server->restart());
  // Back once its probe gets through (what /readyz waits for), after at most the pause that
  // follows a failed connect.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!store->probe() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(store->reachable());
  auto b = store->create("b@example.com", "h");
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_TRUE(store->reachable());
  std::vector<std::thread> again;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i) {
    again.emplace_back([&] {
      auto r = store->findLive("s1", now);
      if (r && *r) ok++;
    });
  }
  for (auto& t : again) t.join();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_TRUE(*store->revoke("s1", now));
  EXPECT_FALSE(*store->findLive("s1", now));
}

// A server of its own: this test restarts it.
TEST(PostgresStoreOutage, ARestartBetweenCallsCostsNoCallEvenAWrite) {
  std::string why;
  auto server = PgTestServer::start(&why);
  ASSERT_NE(server, nullptr) << why;
  ASSERT_TRUE(server->createDatabase("restart", &why)) << why;
  auto store = PostgresStore::open({server->url("restart"), 3, std::chrono::seconds(5)}, &why);
  ASSERT_NE(store, nullptr) << why;
  ASSERT_TRUE(store->create("a@example.com", "h"));
  // Three connections open and idle when the server goes away and comes back.
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) readers.emplace_back([&] { EXPECT_TRUE(*store->findByEmail("a@example.com")); });
  for (auto& t : readers) t.join();
  ASSERT_TRUE(server->stop());
  ASSERT_TRUE(server->restart());
  // Each dead connection is found dead before it is used, not by a failed write.
  for (int i = 0; i < 3; ++i) {
    auto created = store->create("user" + std::to_string(i) + "@example.com", "h");
    EXPECT_TRUE(created) << i << ": " << (created ? "" : created.error().message());
  }
  EXPECT_TRUE(store->reachable());
}

}  // namespace
}  // namespace sg::store
