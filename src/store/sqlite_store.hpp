#pragma once
// AccountStore and SessionStore over one SQLite database file (WAL, foreign keys on),
// migrated to the current schema at open. One connection behind a mutex: SQLite
// serialises writers anyway, and the work pool keeps the number of callers small.
#include "store/accounts.hpp"

#include <memory>
#include <mutex>
#include <string>

struct sqlite3;

namespace sg::store {

class SqliteStore final : public AccountStore, public SessionStore {
 public:
  // Opens (creating if needed) and migrates; nullptr with *error naming the file and the
  // problem when it is corrupt, unwritable or from a newer version.
  static std::unique_ptr<SqliteStore> open(const std::string& path, std::string* error);
  ~SqliteStore() override;

  // AccountStore
  std::optional<Account> create(const std::string& email, const std::string& password_hash,
                                CreateError* error) override;
  std::optional<Account> findByEmail(const std::string& email) override;
  std::optional<Account> findById(const std::string& id) override;

  // SessionStore
  bool create(const Session& session) override;
  std::optional<Session> findLive(const std::string& id_hash, TimePoint now) override;
  bool revoke(const std::string& id_hash, TimePoint now) override;

  std::size_t accountCount();

 private:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  std::optional<Account> findAccount(const char* sql, const std::string& key);

  std::mutex mutex_;
  sqlite3* db_;
};

}  // namespace sg::store
