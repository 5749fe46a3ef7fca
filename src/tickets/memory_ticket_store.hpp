#pragma once
// TicketStore in process memory: 16 shards, each a hash map under its own mutex, so
// concurrent mints and presentations rarely contend. Bounded: put() answers Errc::full
// past `max_entries` (after dropping what has expired) instead of growing without limit.
// Answers inline. A taken ticket's map node is kept (a few per shard) for the next ticket
// minted, its claims moved out: a ticket then costs no allocation to store.
#include "tickets/ticket_store.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace sg::tickets {

class MemoryTicketStore final : public TicketStore {
 public:
  explicit MemoryTicketStore(std::size_t max_entries);

  // TicketStore
  void put(const TicketHash& key, const TicketClaims& claims, PutDone done) override;
  void take(const TicketHash& key, TakeDone done) override;
  std::size_t size() const override { return size_.load(std::memory_order_relaxed); }
  // Always answered.
  bool answersNow() const override { return true; }
  std::optional<boost::system::result<void>> putNow(const TicketHash& key, TicketClaims&& claims) override;
  std::optional<boost::system::result<std::optional<TicketClaims>>> takeNow(const TicketHash& key) override;

  // Drops entries expired before `now`; returns how many.
  std::size_t sweep(TimePoint now);

 private:
  struct KeyHash {
    std::size_t operator()(const TicketHash& k) const noexcept;
  };
  using Map = std::unordered_map<TicketHash, TicketClaims, KeyHash>;
  struct Shard {
    std::mutex mutex;
    Map entries;
    std::vector<Map::node_type> spare;  // nodes of taken tickets, claims moved out
  };
  static constexpr std::size_t kSpareNodes = 16;
  static constexpr std::size_t kShards = 16;
  Shard& shardFor(const TicketHash& key) { return shards_[key[0] % kShards]; }

  std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> size_{0};
  std::size_t max_entries_;
};

}  // namespace sg::tickets
