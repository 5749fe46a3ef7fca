#include "app/ticket_mint_limits.hpp"

namespace sg::app {

TicketMintLimits::TicketMintLimits(const LimitsConfig& limits, std::chrono::seconds ticket_ttl, const Clock& clock)
    : per_ip_(limits.tickets_per_s_per_ip, limits.tickets_per_s_per_ip * 4, clock),
      per_user_(limits.tickets_per_s_per_user, limits.tickets_per_s_per_user * 4, clock),
      live_max_(static_cast<std::size_t>(limits.live_tickets_per_user)), ttl_(ticket_ttl), clock_(clock) {}

std::optional<std::chrono::milliseconds> TicketMintLimits::admit(const std::string& user_id,
                                                                 const std::string& client_ip) {
  if (auto wait = per_ip_.take(client_ip)) return wait;
  if (auto wait = per_user_.take(user_id)) return wait;
  return takeLive(user_id);
}

std::optional<std::chrono::milliseconds> TicketMintLimits::takeLive(const std::string& user_id) {
  auto now = clock_.now();
  std::lock_guard lock(mutex_);
  auto& expiries = live_[user_id];
  while (!expiries.empty() && expiries.front() <= now) expiries.pop_front();
  if (expiries.size() >= live_max_) {
    return std::chrono::ceil<std::chrono::milliseconds>(expiries.front() - now);
  }
  expiries.push_back(now + ttl_);
  return std::nullopt;
}

std::size_t TicketMintLimits::sweep() {
  auto now = clock_.now();
  std::lock_guard lock(mutex_);
  return std::erase_if(live_, [&](const auto& entry) { return entry.second.empty() || entry.second.back() <= now; });
}

}  // namespace sg::app
