#include "auth/admission.hpp"

#include <functional>

namespace sg::auth {

const std::string* Admission::Counts::tryAdd(const std::string& key, int cap) {
  auto& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
  std::lock_guard lock(shard.mutex);
  auto entry = shard.counts.try_emplace(key, 0).first;
  if (entry->second >= cap) {
    if (entry->second == 0) shard.counts.erase(entry);
    return nullptr;
  }
  ++entry->second;
  return &entry->first;
}

void Admission::Counts::remove(const std::string& key) {
  auto& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
  std::lock_guard lock(shard.mutex);
  auto it = shard.counts.find(key);
  if (it != shard.counts.end() && --it->second <= 0) shard.counts.erase(it);
}

std::vector<std::pair<std::string, int>> Admission::Counts::snapshot() const {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [key, n] : shard.counts) out.emplace_back(key, n);
  }
  return out;
}

Admission::Admission(const LimitsConfig& limits, const Clock& clock)
    : limits_(limits), handshakes_(limits.handshakes_per_ip_per_s, limits.handshake_burst_per_ip, clock) {}

namespace {
// A socket over a cap must wait for one of its siblings to close: a while, not a moment.
constexpr int kCapRetryMs = 10'000;
}  // namespace

Verdict<std::shared_ptr<Admission::Lease>> Admission::admit(const std::string& ip) {
  if (auto wait = handshakes_.take(ip)) {
    return Refusal{CloseReason::RateLimited, static_cast<int>(wait->count())};
  }
  if (total_.fetch_add(1, std::memory_order_relaxed) >= limits_.sockets_total) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    return Refusal{CloseReason::ServerBusy, 5'000};
  }
  const std::string* counted_ip = per_ip_.tryAdd(ip, limits_.sockets_per_ip);
  if (!counted_ip) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    return Refusal{CloseReason::RateLimited, kCapRetryMs};
  }
  return std::make_shared<Lease>(Lease::Key{}, *this, *counted_ip);
}

Admission::Lease::~Lease() {
  // The keys live in the counts given back here: each is used before its own count goes.
  if (pending_) admission_.pending_per_ip_.remove(*ip_);
  if (shared_) admission_.shared_->release(*user_);
  if (user_) admission_.per_user_.remove(*user_);
  admission_.per_ip_.remove(*ip_);
  admission_.total_.fetch_sub(1, std::memory_order_relaxed);
}

bool Admission::Lease::bindUser(const std::string& user_id) {
  if (user_ || user_id.empty()) return true;
  user_ = admission_.per_user_.tryAdd(user_id, admission_.limits_.sockets_per_user);
  return user_ != nullptr;
}

void Admission::Lease::countShared(std::shared_ptr<Lease> lease, std::function<void(std::optional<Refusal>)> done) {
  // The lease outlives the answer: the count it takes is given back by its destructor.
  auto& admission = lease->admission_;
  const auto& user = *lease->user_;
  admission.shared_->acquire(user, admission.limits_.sockets_per_user,
                             [self = std::move(lease), done = std::move(done)](boost::system::result<bool> counted) {
                                if (!counted) return done(Refusal{CloseReason::ServerBusy, 1'000});
                                if (!*counted) return done(Refusal{CloseReason::RateLimited, kCapRetryMs});
                                self->shared_ = true;
                                done(std::nullopt);
                              });
}

bool Admission::Lease::enterPending() {
  if (pending_) return true;
  if (!admission_.pending_per_ip_.tryAdd(*ip_, admission_.limits_.pending_auth_per_ip)) return false;
  pending_ = true;
  return true;
}

void Admission::Lease::authenticated() {
  if (!pending_) return;
  pending_ = false;
  admission_.pending_per_ip_.remove(*ip_);
}

}  // namespace sg::auth
