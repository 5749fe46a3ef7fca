#include "store/sqlite_store.hpp"

#include <sqlite3.h>

#include <array>
#include <string_view>

namespace sg::store {
namespace {

// Each entry moves the schema from version i to i + 1 (PRAGMA user_version).
constexpr std::array<std::string_view, 1> kMigrations{
    R"sql(
      CREATE TABLE accounts (
        id            INTEGER PRIMARY KEY AUTOINCREMENT,
        email         TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL
      );
      CREATE TABLE sessions (
        id_hash      TEXT PRIMARY KEY,
        user_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        csrf_token   TEXT NOT NULL,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        last_used_at INTEGER NOT NULL,
        ip           TEXT NOT NULL,
        user_agent   TEXT NOT NULL,
        revoked_at   INTEGER
      );
      CREATE INDEX sessions_by_user ON sessions(user_id);
    )sql",
};

std::int64_t toUnix(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint fromUnix(std::int64_t s) { return TimePoint{std::chrono::seconds(s)}; }

// A prepared statement that finalizes itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql) { ok_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) == SQLITE_OK; }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool ok() const { return ok_; }
  Statement& bind(int i, const std::string& s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  int step() { return ok_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  bool ok_ = false;
};

bool exec(sqlite3* db, std::string_view sql, std::string* error) {
  char* message = nullptr;
  if (sqlite3_exec(db, std::string(sql).c_str(), nullptr, nullptr, &message) == SQLITE_OK) return true;
  *error = message ? message : sqlite3_errmsg(db);
  sqlite3_free(message);
  return false;
}

// What a failed statement means to a caller: a taken key, a missing account, or a database
// that cannot answer now (busy past the timeout, I/O, full disk).
boost::system::error_code failure(sqlite3* db) {
  switch (sqlite3_extended_errcode(db)) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: return make_error_code(Errc::already_exists);
    case SQLITE_CONSTRAINT_FOREIGNKEY: return make_error_code(Errc::not_found);
    default: return make_error_code(Errc::unavailable);
  }
}

}  // namespace

std::unique_ptr<SqliteStore> SqliteStore::open(const std::string& path, std::string* error,
                                               std::chrono::milliseconds busy_timeout) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  auto fail = [&](const std::string& why) -> std::unique_ptr<SqliteStore> {
    *error = "database " + path + ": " + why;
    sqlite3_close(db);
    return nullptr;
  };
  if (rc != SQLITE_OK) return fail(db ? sqlite3_errmsg(db) : "cannot open");
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  std::string why;
  // The first statements read the file: a corrupt or foreign file fails here.
  if (!exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;", &why)) return fail(why);
  {
    Statement check(db, "PRAGMA quick_check");
    if (check.step() != SQLITE_ROW || check.text(0) != "ok") return fail("integrity check failed (" + check.text(0) + ")");
  }
  std::int64_t version = 0;
  {
    Statement v(db, "PRAGMA user_version");
    if (v.step() == SQLITE_ROW) version = v.integer(0);
  }
  if (version > static_cast<std::int64_t>(kMigrations.size())) {
    return fail("schema version " + std::to_string(version) + " is newer than this sockguard understands");
  }
  for (auto i = static_cast<std::size_t>(version); i < kMigrations.size(); ++i) {
    std::string sql = "BEGIN; " + std::string(kMigrations[i]) + " PRAGMA user_version = " + std::to_string(i + 1) +
                      "; COMMIT;";
    if (!exec(db, sql, &why)) {
      exec(db, "ROLLBACK", &why);
      return fail("migration " + std::to_string(i + 1) + " failed: " + why);
    }
  }
  // Prove the file is writable now rather than at the first registration.
  if (!exec(db, "BEGIN IMMEDIATE; COMMIT;", &why)) return fail("not writable: " + why);
  return std::unique_ptr<SqliteStore>(new SqliteStore(db));
}

SqliteStore::~SqliteStore() { sqlite3_close(db_); }

Result<Account> SqliteStore::create(const std::string& email, const std::string& password_hash) {
  std::lock_guard lock(mutex_);
  Statement insert(db_, "INSERT INTO accounts(email, password_hash, created_at) VALUES (?, ?, strftime('%s','now'))");
  insert.bind(1, email).bind(2, password_hash);
  if (insert.step() != SQLITE_DONE) return failure(db_);
  return Account{std::to_string(sqlite3_last_insert_rowid(db_)), email, password_hash};
}

Result<std::optional<Account>> SqliteStore::findAccount(const char* sql, const std::string& key) {
  std::lock_guard lock(mutex_);
  Statement q(db_, sql);
  q.bind(1, key);
  int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<Account>();
  if (rc != SQLITE_ROW) return failure(db_);
  return std::optional<Account>(Account{std::to_string(q.integer(0)), q.text(1), q.text(2)});
}

Result<std::optional<Account>> SqliteStore::findByEmail(const std::string& email) {
  return findAccount("SELECT id, email, password_hash FROM accounts WHERE email = ?", email);
}

Result<std::optional<Account>> SqliteStore::findById(const std::string& id) {
  return findAccount("SELECT id, email, password_hash FROM accounts WHERE id = ?", id);
}

Result<void> SqliteStore::create(const Session& s) {
  std::lock_guard lock(mutex_);
  Statement insert(db_,
                   "INSERT INTO sessions(id_hash, user_id, csrf_token, created_at, expires_at, last_used_at, ip, "
                   "user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, s.id_hash).bind(2, s.user_id).bind(3, s.csrf_token).bind(4, toUnix(s.created_at));
  insert.bind(5, toUnix(s.expires_at)).bind(6, toUnix(s.last_used_at)).bind(7, s.ip).bind(8, s.user_agent);
  if (insert.step() != SQLITE_DONE) return failure(db_);
  return {};
}

Result<std::optional<Session>> SqliteStore::findLive(const std::string& id_hash, TimePoint now) {
  std::lock_guard lock(mutex_);
  Statement q(db_,
              "SELECT id_hash, user_id, csrf_token, created_at, expires_at, last_used_at, ip, user_agent FROM sessions "
              "WHERE id_hash = ? AND revoked_at IS NULL AND expires_at > ?");
  q.bind(1, id_hash).bind(2, toUnix(now));
  int rc = q.step();
  if (rc == SQLITE_DONE) return std::optional<Session>();
  if (rc != SQLITE_ROW) return failure(db_);
  Session s{q.text(0), std::to_string(q.integer(1)), q.text(2), fromUnix(q.integer(3)), fromUnix(q.integer(4)),
            fromUnix(q.integer(5)), q.text(6), q.text(7)};
  // Last use is kept to the minute: a write per request would serialise every lookup. A
  // failed write costs only that mark, so the session is still answered.
  if (now - s.last_used_at > std::chrono::minutes(1)) {
    Statement touch(db_, "UPDATE sessions SET last_used_at = ? WHERE id_hash = ?");
    touch.bind(1, toUnix(now)).bind(2, id_hash);
    if (touch.step() == SQLITE_DONE) s.last_used_at = now;
  }
  return std::optional<Session>(std::move(s));
}

Result<bool> SqliteStore::revoke(const std::string& id_hash, TimePoint now) {
  std::lock_guard lock(mutex_);
  Statement q(db_, "UPDATE sessions SET revoked_at = ? WHERE id_hash = ? AND revoked_at IS NULL");
  q.bind(1, toUnix(now)).bind(2, id_hash);
  // (In place: an error_code would otherwise convert to the bool.)
  if (q.step() != SQLITE_DONE) return Result<bool>(boost::system::in_place_error, failure(db_));
  return sqlite3_changes(db_) > 0;
}

std::size_t SqliteStore::accountCount() {
  std::lock_guard lock(mutex_);
  Statement q(db_, "SELECT count(*) FROM accounts");
  return q.step() == SQLITE_ROW ? static_cast<std::size_t>(q.integer(0)) : 0;
}

}  // namespace sg::store
