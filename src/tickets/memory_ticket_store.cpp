#include "tickets/memory_ticket_store.hpp"

#include "core/errors.hpp"

#include <cstring>

namespace sg::tickets {

MemoryTicketStore::MemoryTicketStore(std::size_t max_entries) : max_entries_(max_entries) {
  for (auto& shard : shards_) shard.spare.reserve(kSpareNodes);
}

std::size_t MemoryTicketStore::KeyHash::operator()(const TicketHash& k) const noexcept {
  // The key is already a cryptographic digest: any 8 of its bytes are a good hash.
  std::size_t h;
  std::memcpy(&h, k.data() + 8, sizeof h);
  return h;
}

void MemoryTicketStore::put(const TicketHash& key, const TicketClaims& claims, PutDone done) {
  done(*putNow(key, TicketClaims(claims)));
}

void MemoryTicketStore::take(const TicketHash& key, TakeDone done) { done(*takeNow(key)); }

std::optional<boost::system::result<void>> MemoryTicketStore::putNow(const TicketHash& key, TicketClaims&& claims) {
  if (size_.load(std::memory_order_relaxed) >= max_entries_) {
    sweep(std::chrono::system_clock::now());
    if (size_.load(std::memory_order_relaxed) >= max_entries_) {
      return boost::system::result<void>(make_error_code(Errc::full));
    }
  }
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  // 256 random bits do not collide: an existing key is overwritten like Redis SET.
  if (shard.spare.empty()) {
    if (!shard.entries.insert_or_assign(key, std::move(claims)).second) return boost::system::result<void>();
  } else {
    auto node = std::move(shard.spare.back());
    shard.spare.pop_back();
    node.key() = key;
    node.mapped() = std::move(claims);
    auto put = shard.entries.insert(std::move(node));
    if (!put.inserted) {
      put.position->second = std::move(put.node.mapped());
      shard.spare.push_back(std::move(put.node));
      return boost::system::result<void>();
    }
  }
  size_.fetch_add(1, std::memory_order_relaxed);
  return boost::system::result<void>();
}

std::optional<boost::system::result<std::optional<TicketClaims>>> MemoryTicketStore::takeNow(const TicketHash& key) {
  // Built where it is returned: the claims are moved once, out of the map's node.
  std::optional<boost::system::result<std::optional<TicketClaims>>> out(std::in_place);
  Shard& shard = shardFor(key);
  std::lock_guard lock(shard.mutex);
  auto it = shard.entries.find(key);
  if (it == shard.entries.end()) return out;
  auto node = shard.entries.extract(it);
  size_.fetch_sub(1, std::memory_order_relaxed);
  (*out)->emplace(std::move(node.mapped()));  // leaves the node's strings empty
  if (shard.spare.size() < kSpareNodes) shard.spare.push_back(std::move(node));
  return out;
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
