#include "store/postgres_store.hpp"

#include "obs/redact.hpp"
#include "store/pg_migrations.hpp"

#include <charconv>
#include <thread>

namespace sg::store {
namespace {

// Times travel as Unix seconds in text, as the SQLite store keeps them.
std::string toUnix(TimePoint t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}
TimePoint fromUnix(const std::string& s) { return TimePoint{std::chrono::seconds(std::stoll(s))}; }

// Account ids are bigints; anything else names no account (and must not reach the server
// as a parameter it cannot convert, which would be an error rather than "none").
bool isId(const std::string& id) {
  long long v = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
  return !id.empty() && ec == std::errc() && end == id.data() + id.size() && v > 0;
}

constexpr const char* kAccountColumns = "id, email, password_hash";
constexpr const char* kSessionColumns =
    "id_hash, user_id, csrf_token, extract(epoch FROM created_at)::bigint, extract(epoch FROM expires_at)::bigint, "
    "extract(epoch FROM last_used_at)::bigint, ip, user_agent";

std::vector<PgStatement> statements() {
  std::string account = kAccountColumns, session = kSessionColumns;
  return {
      {"account_create", "INSERT INTO accounts(email, password_hash) VALUES ($1, $2) RETURNING id"},
      {"account_by_email", "SELECT " + account + " FROM accounts WHERE email = $1"},
      {"account_by_id", "SELECT " + account + " FROM accounts WHERE id = $1::bigint"},
      {"session_create",
       "INSERT INTO sessions(id_hash, user_id, csrf_token, created_at, expires_at, last_used_at, ip, user_agent) "
       "VALUES ($1, $2::bigint, $3, to_timestamp($4::bigint), to_timestamp($5::bigint), "
       "to_timestamp($6::bigint), $7, $8)"},
      {"session_find_live", "SELECT " + session +
                                " FROM sessions WHERE id_hash = $1 AND revoked_at IS NULL"
                                " AND expires_at > to_timestamp($2::bigint)"},
      {"session_touch", "UPDATE sessions SET last_used_at = to_timestamp($1::bigint) WHERE id_hash = $2"},
      {"session_revoke",
       "UPDATE sessions SET revoked_at = to_timestamp($1::bigint) WHERE id_hash = $2 AND revoked_at IS NULL"},
  };
}

}  // namespace

std::unique_ptr<PostgresStore> PostgresStore::open(const Options& options, std::string* error) {
  PgPoolSettings settings;
  settings.url = options.url;
  settings.size = options.connections;
  settings.statements = statements();
  auto pool = std::make_unique<PgPool>(std::move(settings));
  std::string why;
  auto deadline = std::chrono::steady_clock::now() + options.start_wait;
  for (;;) {
    auto conn = pool->connectOne(&why);
    if (conn) {
      auto version = migratePostgres(conn->get(), &why);
      if (version) break;
      // A refused migration (newer schema, SQL error) will not pass by waiting.
      *error = "database " + obs::urlForLog(options.url) + ": " + why;
      return nullptr;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      *error = "database " + obs::urlForLog(options.url) + ": " + why;
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  // The statements prepare on the first connection: a schema that is not ours shows here.
  if (!pool->probe()) {
    *error = "database " + obs::urlForLog(options.url) + ": the statements could not be prepared";
    return nullptr;
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(pool)));
}

Result<Account> PostgresStore::create(const std::string& email, const std::string& password_hash) {
  auto rows = pool_->run("account_create", {email, password_hash});
  if (!rows) return rows.error();
  return Account{rows->text(0, 0), email, password_hash};
}

Result<std::optional<Account>> PostgresStore::findAccount(const char* statement, const std::string& key) {
  auto rows = pool_->run(statement, {key}, PgPool::Retry::OnBrokenConnection);
  if (!rows) return rows.error();
  if (rows->rows() == 0) return std::optional<Account>();
  return std::optional<Account>(Account{rows->text(0, 0), rows->text(0, 1), rows->text(0, 2)});
}

Result<std::optional<Account>> PostgresStore::findByEmail(const std::string& email) {
  return findAccount("account_by_email", email);
}

Result<std::optional<Account>> PostgresStore::findById(const std::string& id) {
  if (!isId(id)) return std::optional<Account>();
  return findAccount("account_by_id", id);
}

Result<void> PostgresStore::create(const Session& s) {
  if (!isId(s.user_id)) return make_error_code(Errc::not_found);
  auto rows = pool_->run("session_create", {s.id_hash, s.user_id, s.csrf_token, toUnix(s.created_at),
                                            toUnix(s.expires_at), toUnix(s.last_used_at), s.ip, s.user_agent});
  if (!rows) return rows.error();
  return {};
}

Result<std::optional<Session>> PostgresStore::findLive(const std::string& id_hash, TimePoint now) {
  auto rows = pool_->run("session_find_live", {id_hash, toUnix(now)}, PgPool::Retry::OnBrokenConnection);
  if (!rows) return rows.error();
  if (rows->rows() == 0) return std::optional<Session>();
  Session s{rows->text(0, 0), rows->text(0, 1),           rows->text(0, 2), fromUnix(rows->text(0, 3)),
            fromUnix(rows->text(0, 4)), fromUnix(rows->text(0, 5)), rows->text(0, 6), rows->text(0, 7)};
  // To the minute, as in the SQLite store; a failed mark does not fail the lookup.
  if (now - s.last_used_at > std::chrono::minutes(1)) {
    if (pool_->run("session_touch", {toUnix(now), id_hash}, PgPool::Retry::OnBrokenConnection)) s.last_used_at = now;
  }
  return std::optional<Session>(std::move(s));
}

Result<bool> PostgresStore::revoke(const std::string& id_hash, TimePoint now) {
  // Revoking twice changes nothing, so a retry after a broken connection is safe.
  auto rows = pool_->run("session_revoke", {toUnix(now), id_hash}, PgPool::Retry::OnBrokenConnection);
  if (!rows) return Result<bool>(boost::system::in_place_error, rows.error());
  return rows->affected() > 0;
}

}  // namespace sg::store
