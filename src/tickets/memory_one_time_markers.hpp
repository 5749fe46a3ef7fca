#pragma once
// OneTimeMarkers in process memory: SHA-256 of each id with its expiry, under one mutex,
// bounded (Errc::full past `max_entries` once expired marks are dropped).
#include "tickets/one_time_markers.hpp"
#include "tickets/ticket_store.hpp"

#include <mutex>
#include <unordered_map>

namespace sg::tickets {

class MemoryOneTimeMarkers final : public OneTimeMarkers {
 public:
  explicit MemoryOneTimeMarkers(std::size_t max_entries) : max_entries_(max_entries) {}

  void markFirstUse(std::string_view token_id, TimePoint until, Done done) override;
  std::size_t size() const override;
  // Drops marks whose time is over; returns how many.
  std::size_t sweep(TimePoint now);

 private:
  struct KeyHash {
    std::size_t operator()(const TicketHash& k) const noexcept;
  };
  mutable std::mutex mutex_;
  std::unordered_map<TicketHash, TimePoint, KeyHash> marks_;
  std::size_t max_entries_;
};

}  // namespace sg::tickets
