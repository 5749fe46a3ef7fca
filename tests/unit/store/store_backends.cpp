#include "store_backends.hpp"

#include "pg_test_server.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

namespace sg::store::testing {
namespace {
namespace fs = std::filesystem;

class SqliteStores final : public OpenedStores {
 public:
  SqliteStores(fs::path dir, std::unique_ptr<SqliteStore> store) : dir_(std::move(dir)), store_(std::move(store)) {}
  ~SqliteStores() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  AccountStore& accounts() override { return *store_; }
  SessionStore& sessions() override { return *store_; }

 private:
  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
};

std::unique_ptr<OpenedStores> openSqlite(const std::string& test_name) {
  auto dir = fs::path(::testing::TempDir()) / ("sockguard_contract_" + std::to_string(::getpid()) + "_" + test_name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string error;
  auto store = SqliteStore::open((dir / "sockguard.db").string(), &error);
  if (!store) {
    ADD_FAILURE() << error;
    return nullptr;
  }
  return std::make_unique<SqliteStores>(dir, std::move(store));
}

class PostgresStores final : public OpenedStores {
 public:
  explicit PostgresStores(std::unique_ptr<PostgresStore> store) : store_(std::move(store)) {}
  AccountStore& accounts() override { return *store_; }
  SessionStore& sessions() override { return *store_; }

 private:
  std::unique_ptr<PostgresStore> store_;
};

// A database of its own per test, in the one server of the test process.
std::unique_ptr<OpenedStores> openPostgres() {
  std::string why;
  auto* server = PgTestServer::shared(&why);
  if (!server) {
    ADD_FAILURE() << "PostgreSQL: " << why;
    return nullptr;
  }
  static std::atomic<int> counter{0};
  std::string database = "contract_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  if (!server->createDatabase(database, &why)) {
    ADD_FAILURE() << "CREATE DATABASE: " << why;
    return nullptr;
  }
  auto store = PostgresStore::open({server->url(database), 8, std::chrono::seconds(5)}, &why);
  if (!store) {
    ADD_FAILURE() << why;
    return nullptr;
  }
  return std::make_unique<PostgresStores>(std::move(store));
}

}  // namespace

std::unique_ptr<OpenedStores> openStores(const std::string& name, const std::string& test_name) {
  if (name == "sqlite") return openSqlite(test_name);
  if (name == "postgres") return openPostgres();
  ADD_FAILURE() << "unknown back end " << name;
  return nullptr;
}

}  // namespace sg::store::testing
