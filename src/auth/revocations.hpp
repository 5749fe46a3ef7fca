#pragma once
// What logging out, banning and POST /api/users/{id}/disconnect leave behind: a record
// that a session, or every credential a user was issued before a moment, is void. It is
// checked wherever a credential turns into a connection (ticket redeemed, JWT or cookie
// accepted, first-message auth, refresh_token, and once more when the socket is
// registered on its shard, which closes the race with handshakes in flight), and it is
// announced to every node so that their sockets close too. One node: MemoryRevocations.
// A cluster keeps the records and the announcements in Redis behind the same interface.
#include "core/identity.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace sg::auth {

class Revocations {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  // true: revoked. An error (Errc::unavailable) when the records cannot be read: the
  // caller refuses with server_busy, never lets the credential through unchecked.
  using CheckDone = std::function<void(boost::system::result<bool>)>;
  // A revocation heard of (this node's or another's): close the matching local sockets.
  // `session_ref` empty means every socket of the user.
  using OnRevoked = std::function<void(const std::string& user_id, const std::string& session_ref)>;

  virtual ~Revocations() = default;

  // The session `session_ref` of `user_id` ended; the record lives until `until` (the
  // session's own expiry: no credential of it outlives that anyway).
  virtual void revokeSession(const std::string& user_id, const std::string& session_ref, TimePoint until) = 0;
  // Every credential of `user_id` issued at or before `at` is void (for as long as any of
  // them could still be valid: `keep_for`).
  virtual void revokeUser(const std::string& user_id, TimePoint at, std::chrono::seconds keep_for) = 0;
  // Whether `who` (its session, or its user as of who.issued_at) has been revoked.
  virtual void check(const Identity& who, CheckDone done) const = 0;
  // check() answered on the spot, by records that never wait (this process's memory): the
  // caller then builds no callback (and copies no Identity into one), which every
  // connection did twice. nullopt: ask check().
  virtual std::optional<boost::system::result<bool>> checkNow(const Identity& /*who*/) const { return std::nullopt; }
  // Whether checkNow() always answers.
  virtual bool answersNow() const { return false; }
  // Set once at start, before the first revocation.
  virtual void setOnRevoked(OnRevoked on_revoked) = 0;
};

}  // namespace sg::auth
