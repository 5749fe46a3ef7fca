#pragma once
// Accounts and cookie sessions (DESIGN §7). Interfaces first: SQLite implements them now,
// PostgreSQL later. Calls block; callers run them on a WorkPool, never on a shard.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sg::store {

using TimePoint = std::chrono::system_clock::time_point;

struct Account {
  std::string id;
  std::string email;          // normalised (trimmed, lower case)
  std::string password_hash;  // argon2id, libsodium's crypto_pwhash_str format
};

enum class CreateError : std::uint8_t { None, EmailTaken, StorageFailed };

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  virtual std::optional<Account> create(const std::string& email, const std::string& password_hash,
                                        CreateError* error) = 0;
  virtual std::optional<Account> findByEmail(const std::string& email) = 0;
  virtual std::optional<Account> findById(const std::string& id) = 0;
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
  virtual bool create(const Session& session) = 0;
  // The session if it exists, is not revoked and has not expired at `now`; marks it used.
  virtual std::optional<Session> findLive(const std::string& id_hash, TimePoint now) = 0;
  // True when a live session was revoked.
  virtual bool revoke(const std::string& id_hash, TimePoint now) = 0;
};

}  // namespace sg::store
