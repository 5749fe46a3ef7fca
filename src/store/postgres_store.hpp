#pragma once
// AccountStore and SessionStore over PostgreSQL (store.database_url), with the SQLite
// store's behaviour: unique e-mails as given (the caller normalises them), sessions that
// end at expires_at or when revoked, last use written to the minute. Each call takes a
// connection of the pool (pg_pool.hpp) and runs one prepared statement; the calls block
// and run on a WorkPool. A server that is down or restarting answers Errc::unavailable
// until it is back; no restart of sockguard is needed.
#include "store/accounts.hpp"
#include "store/pg_pool.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace sg::store {

class PostgresStore final : public AccountStore, public SessionStore {
 public:
  struct Options {
    std::string url;
    std::size_t connections = 4;  // the threads that call the store at once
    // How long open() keeps trying to reach the server (it may still be starting).
    std::chrono::milliseconds start_wait{10'000};
  };
  // Connects, migrates (pg_migrations.hpp) and opens the pool; nullptr with *error (which
  // names the database by obs::urlForLog, never with its password) when that fails.
  static std::unique_ptr<PostgresStore> open(const Options& options, std::string* error);

  // AccountStore
  Result<Account> create(const std::string& email, const std::string& password_hash) override;
  Result<std::optional<Account>> findByEmail(const std::string& email) override;
  Result<std::optional<Account>> findById(const std::string& id) override;

  // SessionStore
  Result<void> create(const Session& session) override;
  Result<std::optional<Session>> findLive(const std::string& id_hash, TimePoint now) override;
  Result<bool> revoke(const std::string& id_hash, TimePoint now) override;

  // Readiness: a blocking round trip (run it on the work pool), and its last answer.
  bool probe() { return pool_->probe(); }
  bool reachable() const { return pool_->reachable(); }

 private:
  explicit PostgresStore(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)) {}
  Result<std::optional<Account>> findAccount(const char* statement, const std::string& key);

  std::unique_ptr<PgPool> pool_;
};

}  // namespace sg::store
