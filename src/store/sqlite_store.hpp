#pragma once
// AccountStore and SessionStore over one SQLite database file (WAL, foreign keys on),
// migrated to the current schema at open. One connection behind a mutex: SQLite
// serialises writers anyway, and the work pool keeps the number of callers small.
#include "store/accounts.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

struct sqlite3;

namespace sg::store {

class SqliteStore final : public AccountStore, public SessionStore {
 public:
  // Opens (creating if needed) and migrates; nullptr with *error naming the file and the
  // problem when it is corrupt, unwritable or from a newer version. A call that waits
  // longer than `busy_timeout` for another writer answers Errc::unavailable.
  static std::unique_ptr<SqliteStore> open(const std::string& path, std::string* error,
                                           std::chrono::milliseconds busy_timeout = std::chrono::seconds(5));
  ~SqliteStore() override;

  // AccountStore
  Result<Account> create(const std::string& email, const std::string& password_hash) override;
  Result<std::optional<Account>> findByEmail(const std::string& email) override;
  Result<std::optional<Account>> findById(const std::string& id) override;

  // SessionStore
  Result<void> create(const Session& session) override;
  Result<std::optional<Session>> findLive(const std::string& id_hash, TimePoint now) override;
  Result<bool> revoke(const std::string& id_hash, TimePoint now) override;

  std::size_t accountCount();

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  Result<std::optional<Account>> findAccount(const char* sql, const std::string& key);

  std::mutex mutex_;
  sqlite3* db_;
};

}  // namespace sg::store
