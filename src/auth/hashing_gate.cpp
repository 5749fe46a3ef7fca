#include "auth/hashing_gate.hpp"

namespace sg::auth {

HashingGate::Result HashingGate::enter(const std::string& ip) {
  std::lock_guard lock(mutex_);
  if (pending_ >= total_) return {nullptr, Refusal::Total};
  int& mine = per_ip_count_[ip];
  if (mine >= per_ip_) return {nullptr, Refusal::PerIp};
  ++mine;
  ++pending_;
  return {std::shared_ptr<Pass>(new Pass(*this, ip)), std::nullopt};
}

int HashingGate::pending() const {
  std::lock_guard lock(mutex_);
  return pending_;
}

void HashingGate::leave(const std::string& ip) {
  std::lock_guard lock(mutex_);
  --pending_;
  auto it = per_ip_count_.find(ip);
  if (it != per_ip_count_.end() && --it->second <= 0) per_ip_count_.erase(it);
}

HashingGate::Pass::~Pass() { gate_.leave(ip_); }

}  // namespace sg::auth
