#pragma once
// Tickets the legitimate clients have used, handed to the attackers to replay. The
// legitimate side puts a ticket here only after its own socket joined with it, so a
// replay can never beat the real owner; the two sides run on different threads.
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace sg::attack {

struct UsedTicket {
  std::string ticket;
  std::string owner_ip;  // the legitimate client's source address
};

class TicketDrop {
 public:
  void put(UsedTicket t) {
    std::lock_guard lock(mutex_);
    if (tickets_.size() < kMax) tickets_.push_back(std::move(t));
  }
  std::optional<UsedTicket> take() {
    std::lock_guard lock(mutex_);
    if (tickets_.empty()) return std::nullopt;
    UsedTicket t = std::move(tickets_.front());
    tickets_.pop_front();
    return t;
  }

 private:
  static constexpr std::size_t kMax = 10'000;
  std::mutex mutex_;
  std::deque<UsedTicket> tickets_;
};

}  // namespace sg::attack
