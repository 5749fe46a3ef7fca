#pragma once
// A hash table from a string key (a client IP, a user id) to a small value, for the
// per-key counts and buckets that every connection touches (Admission, RateLimiter,
// HashingGate). Against std::unordered_map<std::string, V>:
//   - the caller hashes a key once (keyHash) and passes the hash to every call, so that a
//     shard is chosen and the table probed from one hash;
//   - open addressing with linear probing over {hash, entry} slots: a look-up reads one
//     slot line and then the entry, where a node map reads the bucket, the node before
//     and the node (three cache misses on a large map);
//   - entries do not move while they are in the table, so that a holder (an admission
//     lease) keeps a pointer and gives its count back without hashing or comparing the
//     key again;
//   - entries are allocated in chunks and a removed entry is kept for the next key, so
//     that a key that comes and goes (a user connecting, a socket closing) costs no
//     allocation: the table holds as many entries as it has ever held at once (as its
//     slot array, or a node map's bucket array, keeps its peak size), and every user of
//     it bounds that (RateLimiter's max_keys, the socket and hashing caps).
// Not thread-safe: callers shard and lock (a table per shard, under the shard's mutex).
// Keys come from the network; like std::unordered_map with std::hash, it is not hardened
// against keys chosen to collide (the per-IP limits bound how many one client adds).
#include <algorithm>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sg::auth {

// The hash every KeyedTable call takes; one hash of a key serves all the tables it is
// looked up in (a client IP: its handshake bucket, its socket count).
inline std::size_t keyHash(std::string_view key) { return std::hash<std::string_view>{}(key); }

// Which of 2^bits shards a hash goes to: its top bits, as the table uses its low ones.
inline std::size_t shardOf(std::size_t hash, unsigned bits) {
  return hash >> (std::numeric_limits<std::size_t>::digits - bits);
}

template <class Value>
class KeyedTable {
 public:
  struct Entry {
    std::string key;
    std::size_t hash = 0;
    Value value{};
  };

  KeyedTable() = default;
  KeyedTable(const KeyedTable&) = delete;
  KeyedTable& operator=(const KeyedTable&) = delete;
  ~KeyedTable() = default;

  std::size_t size() const { return size_; }

  // The entry for `key` (whose keyHash is `hash`), or null.
  Entry* find(std::string_view key, std::size_t hash) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = hash & mask(); slots_[i].entry; i = (i + 1) & mask()) {
      if (slots_[i].hash == hash && slots_[i].entry->key == key) return slots_[i].entry;
    }
    return nullptr;
  }

  // Adds `key`, which must not be in the table yet, with `value`.
  Entry& insert(std::string_view key, std::size_t hash, Value value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    Entry* e = spareOrNew();
    e->key.assign(key.data(), key.size());
    e->hash = hash;
    e->value = std::move(value);
    place(e);
    ++size_;
    return *e;
  }

  // Removes an entry of this table (found or inserted here, by identity: no key compared).
  void erase(Entry* e) {
    std::size_t i = homeOf(e->hash);
    while (slots_[i].entry != e) i = (i + 1) & mask();
    // Backward-shift deletion: later entries of the probe run move up into the hole when
    // their home slot is not after it, so that no tombstones are needed.
    for (std::size_t j = (i + 1) & mask(); slots_[j].entry; j = (j + 1) & mask()) {
      std::size_t home = homeOf(slots_[j].hash);
      // Whether `home` lies cyclically in (i, j]: then slots_[j] must stay.
      bool stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
      if (stays) continue;
      slots_[i] = slots_[j];
      i = j;
    }
    slots_[i] = Slot{};
    --size_;
    recycle(e);
  }

  // Removes every entry for which `drop(entry)` says so.
  template <class Drop>
  std::size_t eraseIf(Drop drop) {
    std::vector<Entry*> dropped;
    for (const auto& slot : slots_) {
      if (slot.entry && drop(*slot.entry)) dropped.push_back(slot.entry);
    }
    for (Entry* e : dropped) erase(e);
    return dropped.size();
  }

  template <class Visit>
  void forEach(Visit visit) const {
    for (const auto& slot : slots_) {
      if (slot.entry) visit(static_cast<const Entry&>(*slot.entry));
    }
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    Entry* entry = nullptr;  // null: empty
  };
  static constexpr std::size_t kMinSlots = 16;
  static constexpr std::size_t kMinChunk = 8, kMaxChunk = 256;

  std::size_t mask() const { return slots_.size() - 1; }
  std::size_t homeOf(std::size_t hash) const { return hash & mask(); }

  void place(Entry* e) {
    std::size_t i = homeOf(e->hash);
    while (slots_[i].entry) i = (i + 1) & mask();
    slots_[i] = Slot{e->hash, e};
  }

  void grow() {
    std::vector<Slot> old(slots_.empty() ? kMinSlots : 2 * slots_.size());
    old.swap(slots_);
    for (const auto& slot : old) {
      if (slot.entry) place(slot.entry);
    }
  }

  Entry* spareOrNew() {
    if (spare_.empty()) {
      // Chunks grow with the table: a few entries for a table of a few keys.
      std::size_t n = std::clamp<std::size_t>(size_, kMinChunk, kMaxChunk);
      chunks_.push_back(std::make_unique<Entry[]>(n));
      entries_ += n;
      spare_.reserve(entries_);  // room for every entry, so that recycle() never grows it
      for (std::size_t i = n; i-- > 0;) spare_.push_back(&chunks_.back()[i]);
    }
    Entry* e = spare_.back();
    spare_.pop_back();
    return e;
  }

  void recycle(Entry* e) {
    e->value = Value{};
    spare_.push_back(e);
  }

  std::vector<Slot> slots_;  // a power of two in size, at most half full
  std::size_t size_ = 0;
  std::vector<std::unique_ptr<Entry[]>> chunks_;  // where every entry lives
  std::size_t entries_ = 0;                       // in all chunks
  std::vector<Entry*> spare_;                     // entries not in the table (key strings keep their capacity)
};

}  // namespace sg::auth
