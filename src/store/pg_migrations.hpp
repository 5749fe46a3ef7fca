#pragma once
// PostgreSQL schema migrations, run at every start. Idempotent, and safe when several
// nodes start at once on the same database: the whole check-and-apply runs under a
// session-level advisory lock, so the first node migrates while the others wait and then
// find nothing left to do. Applied versions are rows of sockguard_schema_migrations; each
// migration commits in one transaction together with its row. A database already at a
// newer version than this binary knows is refused, never downgraded.
#include <boost/system/result.hpp>

#include <string>

struct pg_conn;  // PGconn

namespace sg::store {

// The version the database is at afterwards; on failure Errc::unavailable with `*why`
// saying what went wrong (no password: libpq's messages never carry it).
boost::system::result<int> migratePostgres(pg_conn* conn, std::string* why);

// The version this binary brings a database to.
int postgresSchemaVersion();

}  // namespace sg::store
