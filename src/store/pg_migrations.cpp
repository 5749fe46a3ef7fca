#include "store/pg_migrations.hpp"

#include "core/errors.hpp"

#include <libpq-fe.h>

#include <array>
#include <memory>
#include <string_view>

namespace sg::store {
namespace {

// Entry i moves the schema from version i to i + 1. Never edit one that has shipped; add.
// Times are timestamptz (what an operator querying the tables expects); the store reads
// and writes them as Unix seconds, as the SQLite store keeps them.
constexpr std::array<std::string_view, 1> kMigrations{
    R"sql(
      CREATE TABLE accounts (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        email         text NOT NULL UNIQUE,
        password_hash text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE sessions (
        id_hash      text PRIMARY KEY,
        user_id      bigint NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        csrf_token   text NOT NULL,
        created_at   timestamptz NOT NULL,
        expires_at   timestamptz NOT NULL,
        last_used_at timestamptz NOT NULL,
        ip           text NOT NULL,
        user_agent   text NOT NULL,
        revoked_at   timestamptz
      );
      CREATE INDEX sessions_by_user ON sessions(user_id);
    )sql",
};

// 'sockguar' in ASCII: one fixed key, so that every sockguard node (and only sockguard)
// serialises on it.
constexpr long long kMigrationLock = 0x736f636b67756172LL;

using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

Result exec(pg_conn* conn, const std::string& sql) { return Result(PQexec(conn, sql.c_str()), PQclear); }

bool ok(const Result& r) {
  auto s = PQresultStatus(r.get());
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

std::string message(pg_conn* conn) {
  std::string m = PQerrorMessage(conn);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

boost::system::result<int> migrateLocked(pg_conn* conn, std::string* why) {
  auto fail = [&](const std::string& what) -> boost::system::result<int> {
    *why = what + ": " + message(conn);
    return make_error_code(Errc::unavailable);
  };
  if (!ok(exec(conn, "CREATE TABLE IF NOT EXISTS sockguard_schema_migrations ("
                     " version integer PRIMARY KEY,"
                     " applied_at timestamptz NOT NULL DEFAULT now())"))) {
    return fail("creating sockguard_schema_migrations");
  }
  auto current = exec(conn, "SELECT coalesce(max(version), 0) FROM sockguard_schema_migrations");
  if (!ok(current) || PQntuples(current.get()) != 1) return fail("reading the schema version");
  int version = std::atoi(PQgetvalue(current.get(), 0, 0));
  if (version > static_cast<int>(kMigrations.size())) {
    *why = "schema version " + std::to_string(version) + " is newer than this sockguard understands (" +
           std::to_string(kMigrations.size()) + ")";
    return make_error_code(Errc::unavailable);
  }
  for (auto i = static_cast<std::size_t>(version); i < kMigrations.size(); ++i) {
    std::string sql = "BEGIN; " + std::string(kMigrations[i]) +
                      "; INSERT INTO sockguard_schema_migrations(version) VALUES (" + std::to_string(i + 1) +
                      "); COMMIT;";
    if (!ok(exec(conn, sql))) {
      auto failed = fail("migration " + std::to_string(i + 1));
      exec(conn, "ROLLBACK");
      return failed;
    }
    version = static_cast<int>(i + 1);
  }
  return version;
}

}  // namespace

int postgresSchemaVersion() { return static_cast<int>(kMigrations.size()); }

boost::system::result<int> migratePostgres(pg_conn* conn, std::string* why) {
  std::string key = std::to_string(kMigrationLock);
  if (!ok(exec(conn, "SELECT pg_advisory_lock(" + key + ")"))) {
    *why = "taking the migration lock: " + message(conn);
    return make_error_code(Errc::unavailable);
  }
  auto version = migrateLocked(conn, why);
  // Also released if the connection drops: a node that dies mid-way does not block others.
  exec(conn, "SELECT pg_advisory_unlock(" + key + ")");
  return version;
}

}  // namespace sg::store
