#include "tickets/memory_one_time_markers.hpp"

#include "core/errors.hpp"
#include "tickets/ticket_issuer.hpp"

#include <cstring>

namespace sg::tickets {

std::size_t MemoryOneTimeMarkers::KeyHash::operator()(const TicketHash& k) const noexcept {
  std::size_t h;
  std::memcpy(&h, k.data(), sizeof h);
  return h;
}

void MemoryOneTimeMarkers::markFirstUse(std::string_view token_id, TimePoint until, Done done) {
  TicketHash key = TicketIssuer::hash(token_id);
  boost::system::result<bool> answer = true;
  {
    std::lock_guard lock(mutex_);
    if (marks_.contains(key)) {
      answer = false;
    } else {
      if (marks_.size() >= max_entries_) {
        auto now = std::chrono::system_clock::now();
        std::erase_if(marks_, [&](const auto& e) { return e.second < now; });
      }
      if (marks_.size() >= max_entries_) {
        answer = boost::system::result<bool>(boost::system::in_place_error, make_error_code(Errc::full));
      } else {
        marks_.emplace(key, until);
      }
    }
  }
  done(answer);
}

std::size_t MemoryOneTimeMarkers::size() const {
  std::lock_guard lock(mutex_);
  return marks_.size();
}

std::size_t MemoryOneTimeMarkers::sweep(TimePoint now) {
  std::lock_guard lock(mutex_);
  return std::erase_if(marks_, [&](const auto& e) { return e.second < now; });
}

}  // namespace sg::tickets
