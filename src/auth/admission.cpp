#include "auth/admission.hpp"

#include <functional>

namespace sg::auth {

Admission::CountedKey* Admission::Counts::tryAdd(std::string_view key, std::size_t hash, int cap) {
  auto& shard = shardFor(hash);
  std::lock_guard lock(shard.mutex);
  CountedKey* entry = shard.counts.find(key, hash);
  if (!entry) return cap > 0 ? &shard.counts.insert(key, hash, 1) : nullptr;
  if (entry->value >= cap) return nullptr;
  ++entry->value;
  return entry;
}

void Admission::Counts::remove(CountedKey& entry) {
  auto& shard = shardFor(entry.hash);
  std::lock_guard lock(shard.mutex);
  if (--entry.value <= 0) shard.counts.erase(&entry);
}

std::vector<std::pair<std::string, int>> Admission::Counts::snapshot() const {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    shard.counts.forEach([&](const CountedKey& entry) { out.emplace_back(entry.key, entry.value); });
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
  // One hash of the address for both its handshake bucket and its socket count.
  std::size_t ip_hash = keyHash(ip);
  if (auto wait = handshakes_.takeHashed(ip, ip_hash)) {
    return Refusal{CloseReason::RateLimited, static_cast<int>(wait->count())};
  }
  if (total_.fetch_add(1, std::memory_order_relaxed) >= limits_.sockets_total) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    return Refusal{CloseReason::ServerBusy, 5'000};
  }
  CountedKey* counted_ip = per_ip_.tryAdd(ip, ip_hash, limits_.sockets_per_ip);
  if (!counted_ip) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    return Refusal{CloseReason::RateLimited, kCapRetryMs};
  }
  return std::make_shared<Lease>(Lease::Key{}, *this, *counted_ip);
}

Admission::Lease::~Lease() {
  // The keys live in the counts given back here: each is used before its own count goes.
  if (pending_) admission_.pending_per_ip_.remove(*pending_);
  if (shared_) admission_.shared_->release(user_->key);
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
  const auto& user = lease->user_->key;
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
  // The same key as the per-IP count's entry, whose hash is kept there.
  pending_ = admission_.pending_per_ip_.tryAdd(ip_->key, ip_->hash, admission_.limits_.pending_auth_per_ip);
  return pending_ != nullptr;
}

void Admission::Lease::authenticated() {
  if (!pending_) return;
  admission_.pending_per_ip_.remove(*std::exchange(pending_, nullptr));
}

}  // namespace sg::auth
