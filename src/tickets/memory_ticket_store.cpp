#include "tickets/memory_ticket_store.hpp"

#include <cstring>

namespace sg::tickets {

MemoryTicketStore::MemoryTicketStore(std::size_t max_entries) : max_entries_(max_entries) {}

std::size_t MemoryTicketStore::KeyHash::operator()(const TicketHash& k) const noexcept {
  // The key is already a cryptographic digest: any 8 of its bytes are a good hash.
  std::size_t h;
  std::memcpy(&h, k.data() + 8, sizeof h);
  return h;
}

PutResult MemoryTicketStore::put(const TicketHash& key, const TicketClaims& claims) {
  if (size_.load(std::memory_order_relaxed) >= max_entries_) {
    sweep(std::chrono::system_clock::now());
    if (size_.load(std::memory_order_relaxed) >= max_entries_) return PutResult::Full;
  }
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  auto [it, inserted] = shard.entries.try_emplace(key, claims);
  if (!inserted) return PutResult::Exists;
  size_.fetch_add(1, std::memory_order_relaxed);
  return PutResult::Stored;
}

std::optional<TicketClaims> MemoryTicketStore::take(const TicketHash& key) {
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return std::nullopt;
  TicketClaims claims = std::move(it->second);
  shard.entries.erase(it);
  size_.fetch_sub(1, std::memory_order_relaxed);
  return claims;
}

std::size_t MemoryTicketStore::sweep(TimePoint now) {
  std::size_t dropped = 0;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    dropped += std::erase_if(shard.entries, [&](const auto& entry) { return entry.second.expires_at < now; });
  }
  size_.fetch_sub(dropped, std::memory_order_relaxed);
  return dropped;
}

}  // namespace sg::tickets
