#include "auth/login_throttle.hpp"

#include <algorithm>

namespace sg::auth {
namespace {

// N attempts refilled evenly over `window_s`.
double perSecond(int attempts, double window_s) { return attempts / window_s; }

}  // namespace

LoginThrottle::LoginThrottle(const LoginLimits& limits, const Clock& clock, std::size_t max_accounts)
    : per_ip_(perSecond(limits.per_ip, 60), limits.per_ip, clock),
      per_account_and_ip_(perSecond(limits.per_account_and_ip, 600), limits.per_account_and_ip, clock),
      per_account_(perSecond(limits.per_account, 3600), limits.per_account, clock),
      max_accounts_(std::max<std::size_t>(1, max_accounts)) {}

std::string LoginThrottle::pairKey(std::string_view account, std::string_view ip) {
  // '\n' appears in neither a normalised e-mail nor an address.
  std::string key(account);
  key += '\n';
  key += ip;
  return key;
}

std::optional<std::chrono::milliseconds> LoginThrottle::admit(std::string_view account, std::string_view ip) {
  if (auto wait = per_ip_.take(ip)) return wait;
  const std::string pair = pairKey(account, ip);
  if (auto wait = per_account_and_ip_.take(pair)) {
    per_ip_.refund(ip);
    return wait;
  }
  if (!isKnownAddress(account, ip)) {
    if (auto wait = per_account_.take(account)) {
      per_account_and_ip_.refund(pair);
      per_ip_.refund(ip);
      return wait;
    }
  }
  return std::nullopt;
}

void LoginThrottle::succeeded(std::string_view account, std::string_view ip) {
  per_account_and_ip_.refund(pairKey(account, ip));
  if (!isKnownAddress(account, ip)) per_account_.refund(account);
  remember(account, ip);
}

bool LoginThrottle::isKnownAddress(std::string_view account, std::string_view ip) const {
  std::lock_guard lock(mutex_);
  auto it = known_.find(std::string(account));
  return it != known_.end() && std::find(it->second.begin(), it->second.end(), ip) != it->second.end();
}

void LoginThrottle::remember(std::string_view account, std::string_view ip) {
  std::lock_guard lock(mutex_);
  auto it = known_.find(std::string(account));
  if (it == known_.end()) {
    while (known_.size() >= max_accounts_ && !known_order_.empty()) {
      known_.erase(known_order_.front());
      known_order_.pop_front();
    }
    it = known_.emplace(std::string(account), std::vector<std::string>{}).first;
    known_order_.emplace_back(account);
  }
  auto& addresses = it->second;
  addresses.erase(std::remove(addresses.begin(), addresses.end(), ip), addresses.end());
  addresses.emplace_back(ip);
  if (addresses.size() > kAddressesPerAccount) addresses.erase(addresses.begin());
}

}  // namespace sg::auth
