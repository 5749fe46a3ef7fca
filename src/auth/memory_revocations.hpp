#pragma once
// Revocations of a single node, in memory: records under one mutex (revocations are
// rare; checks are a hash lookup), dropped once they expire. Announcements go straight
// to this node's OnRevoked.
#include "auth/revocations.hpp"
#include "core/clock.hpp"

#include <atomic>
#include <mutex>
#include <unordered_map>

namespace sg::auth {

class MemoryRevocations final : public Revocations {
 public:
  explicit MemoryRevocations(const Clock& clock) : clock_(clock) {}

  // Revocations
  void revokeSession(const std::string& user_id, const std::string& session_ref, TimePoint until) override;
  void revokeUser(const std::string& user_id, TimePoint at, std::chrono::seconds keep_for) override;
  void check(const Identity& who, CheckDone done) const override;
  std::optional<boost::system::result<bool>> checkNow(const Identity& who) const override { return revoked(who); }
  bool answersNow() const override { return true; }
  void setOnRevoked(OnRevoked on_revoked) override { on_revoked_ = std::move(on_revoked); }

  // Drops records whose time is over; returns how many.
  std::size_t sweep();

 private:
  struct UserRecord {
    TimePoint at;      // credentials issued at or before this are void
    TimePoint until;   // the record's own expiry
  };
  bool revoked(const Identity& who) const;

  const Clock& clock_;
  mutable std::mutex mutex_;
  // Records held (sessions_ and users_), written under the mutex: with none, which is
  // the common case, a check needs no lock. A record is counted before its announcement
  // is sent, so a check that follows the announcement sees it.
  std::atomic<std::size_t> records_{0};
  std::unordered_map<std::string, TimePoint> sessions_;  // session_ref -> record expiry
  std::unordered_map<std::string, UserRecord> users_;
  OnRevoked on_revoked_;
};

}  // namespace sg::auth
