#pragma once
// Accounts and cookie sessions (DESIGN §7). Interfaces first: SQLite (the default, in the
// data dir) and PostgreSQL (store.database_url) implement them. Calls block; callers run
// them on a WorkPool, never on a shard.
//
// Every answer is a value. Errc::unavailable means the database cannot answer now (down,
// timed out, out of connections, I/O error): callers answer 503 / server_busy and never
// turn it into "no such account" or "invalid session".
#include "core/errors.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace sg::store {

using TimePoint = std::chrono::system_clock::time_point;
template <typename T>
using Result = boost::system::result<T>;

struct Account {
  std::string id;
  std::string email;          // normalised by the caller (trimmed, lower case)
  std::string password_hash;  // argon2id, libsodium's crypto_pwhash_str format
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // The new account; Errc::already_exists when the e-mail has one, Errc::unavailable.
  virtual Result<Account> create(const std::string& email, const std::string& password_hash) = 0;
  // nullopt when there is no such account; Errc::unavailable.
  virtual Result<std::optional<Account>> findByEmail(const std::string& email) = 0;
  virtual Result<std::optional<Account>> findById(const std::string& id) = 0;
};

struct Session {
  std::string id_hash;  // SHA-256 of the cookie value, hex; the cookie value is never stored
  std::string user_id;
  std::string csrf_token;
  TimePoint created_at;
  TimePoint expires_at;
  TimePoint last_used_at;
  std::string ip;
  std::string user_agent;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  // Errc::already_exists (the id is taken), Errc::not_found (no such account), Errc::unavailable.
  virtual Result<void> create(const Session& session) = 0;
  // The session if it exists, is not revoked and has not expired at `now` (nullopt
  // otherwise); marks it used, to the minute. Errc::unavailable.
  virtual Result<std::optional<Session>> findLive(const std::string& id_hash, TimePoint now) = 0;
  // True when a live session was revoked, false when there was none to revoke. Errc::unavailable.
  virtual Result<bool> revoke(const std::string& id_hash, TimePoint now) = 0;
};

}  // namespace sg::store
