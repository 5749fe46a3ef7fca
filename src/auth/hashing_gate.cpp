#include "auth/hashing_gate.hpp"

namespace sg::auth {

HashingGate::Result HashingGate::enter(const std::string& ip) {
  std::size_t hash = keyHash(ip);
  std::lock_guard lock(mutex_);
  if (pending_ >= total_) return {nullptr, Refusal::Total};
  auto* mine = per_ip_count_.find(ip, hash);
  if (mine ? mine->value >= per_ip_ : per_ip_ <= 0) return {nullptr, Refusal::PerIp};
  if (!mine) mine = &per_ip_count_.insert(ip, hash, 0);
  ++mine->value;
  ++pending_;
  return {std::shared_ptr<Pass>(new Pass(*this, *mine)), std::nullopt};
}

int HashingGate::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

void HashingGate::leave(KeyedTable<int>::Entry& ip) {
  std::lock_guard lock(mutex_);
  --pending_;
  if (--ip.value <= 0) per_ip_count_.erase(&ip);
}

HashingGate::Pass::~Pass() { gate_.leave(ip_); }

}  // namespace sg::auth
