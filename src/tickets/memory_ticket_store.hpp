#pragma once
// TicketStore in process memory: 16 shards, each a hash map under its own mutex, so
// concurrent mints and presentations rarely contend. Bounded: put() answers Full past
// `max_entries` (after dropping what has expired) instead of growing without limit.
#include "tickets/ticket_store.hpp"

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>

namespace sg::tickets {

class MemoryTicketStore final : public TicketStore {
 public:
  explicit MemoryTicketStore(std::size_t max_entries);

  // TicketStore
  PutResult put(const TicketHash& key, const TicketClaims& claims) override;
  std::optional<TicketClaims> take(const TicketHash& key) override;
  std::size_t sweep(TimePoint now) override;
  std::size_t size() const override { return size_.load(std::memory_order_relaxed); }

 private:
  struct KeyHash {
    std::size_t operator()(const TicketHash& k) const noexcept;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<TicketHash, TicketClaims, KeyHash> entries;
  };
  static constexpr std::size_t kShards = 16;
  Shard& shardFor(const TicketHash& key) { return shards_[key[0] % kShards]; }

  std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> size_{0};
  std::size_t max_entries_;
};

}  // namespace sg::tickets
