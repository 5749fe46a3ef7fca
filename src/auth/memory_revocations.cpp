#include "auth/memory_revocations.hpp"

#include <algorithm>

namespace sg::auth {

void MemoryRevocations::revokeSession(const std::string& user_id, const std::string& session_ref, TimePoint until) {
  if (session_ref.empty()) return;
  {
    std::lock_guard lock(mutex_);
    auto& expiry = sessions_[session_ref];
    expiry = std::max(expiry, until);
    records_.store(sessions_.size() + users_.size(), std::memory_order_release);
  }
  // The record is written before the sockets are told: a socket registering on its
  // shard after this sweep finds the record (see Revocations).
  if (on_revoked_) on_revoked_(user_id, session_ref);
}

void MemoryRevocations::revokeUser(const std::string& user_id, TimePoint at, std::chrono::seconds keep_for) {
  {
    std::lock_guard lock(mutex_);
    auto& record = users_[user_id];
    record.at = std::max(record.at, at);
    record.until = std::max(record.until, at + keep_for);
    records_.store(sessions_.size() + users_.size(), std::memory_order_release);
  }
  if (on_revoked_) on_revoked_(user_id, "");
}

bool MemoryRevocations::revoked(const Identity& who) const {
  if (who.anonymous() || records_.load(std::memory_order_acquire) == 0) return false;
  std::lock_guard lock(mutex_);
  if (!who.session_id.empty() && sessions_.contains(who.session_id)) return true;
  auto it = users_.find(who.user_id);
  // Without a known issue time a credential cannot prove it came after the revocation.
  return it != users_.end() && (!who.issued_at || *who.issued_at <= it->second.at);
}

void MemoryRevocations::check(const Identity& who, CheckDone done) const { done(revoked(who)); }

std::size_t MemoryRevocations::sweep() {
  auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto dropped = std::erase_if(sessions_, [&](const auto& e) { return e.second < now; }) +
                 std::erase_if(users_, [&](const auto& e) { return e.second.until < now; });
  records_.store(sessions_.size() + users_.size(), std::memory_order_release);
  return dropped;
}

}  // namespace sg::auth
