#pragma once
// Who may open a socket at all, decided before any credential work so that refusing a
// flood costs almost nothing (DESIGN §6): handshakes per IP (token bucket), concurrent
// sockets per IP, per user and in total, and a small per-IP cap on sockets that are still
// waiting to authenticate by first message. A Lease holds a socket's places and gives
// them back when destroyed.
#include "auth/keyed_table.hpp"
#include "auth/refusal.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/shared_user_counts.hpp"
#include "core/config.hpp"

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sg::auth {

class Admission {
  using Table = KeyedTable<int>;
  using CountedKey = Table::Entry;

 public:
  class Lease {
    struct Key {
      explicit Key() = default;
    };

   public:
    // Only Admission makes leases (the key is private); public for std::make_shared.
    Lease(Key, Admission& a, CountedKey& ip) : admission_(a), ip_(&ip) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    // Counts the socket against its user's cap on this node; false (and nothing counted)
    // over it.
    bool bindUser(const std::string& user_id);
    // In a cluster the bound user is then counted across nodes too: needsSharedCount()
    // says whether that is still to do, and countShared() does it, answering later from
    // any thread (nullopt: counted; else the refusal: rate_limited over the cap,
    // server_busy when the count cannot be read). The lease is passed in, and kept until
    // the answer, rather than found through enable_shared_from_this: every idle socket
    // holds a lease, and that would cost each one 16 bytes.
    bool needsSharedCount() const { return admission_.shared_ && user_ && !shared_; }
    static void countShared(std::shared_ptr<Lease> lease, std::function<void(std::optional<Refusal>)> done);
    // Counts the socket as waiting for first-message auth; false over the per-IP cap.
    bool enterPending();
    // Leaves the pending-authentication count (the socket authenticated).
    void authenticated();

   private:
    friend class Admission;
    // The entries of the counts this lease holds: an entry (and its key) stays while its
    // count is above zero, and this lease's own share keeps it so until the destructor
    // gives it back, by the entry itself (no key hashed or compared again). Every idle
    // socket holds a lease; two std::string copies made it 80 bytes instead of 40.
    Admission& admission_;
    CountedKey* ip_;
    CountedKey* user_ = nullptr;     // none until bindUser
    CountedKey* pending_ = nullptr;  // in pending_per_ip_ while waiting for first-message auth
    bool shared_ = false;            // counted in the cluster's shared count
  };

  Admission(const LimitsConfig& limits, const Clock& clock);

  // A lease for a socket from `ip`, or the refusal (rate_limited / server_busy with
  // retry_after_ms). Shared: the handshake and then the connection hold it; one
  // allocation with its count.
  Verdict<std::shared_ptr<Lease>> admit(const std::string& ip);

  int open() const { return total_.load(std::memory_order_relaxed); }
  // A cluster's count of sockets per user across nodes; set once at start (nullptr: this
  // node's count only).
  void setSharedUserCounts(SharedUserCounts* shared) { shared_ = shared; }
  // This node's sockets per user (users with at least one).
  std::vector<std::pair<std::string, int>> userCounts() const { return per_user_.snapshot(); }

 private:
  // Counts per key, sharded under small mutexes; a key is hashed once per tryAdd (for
  // both the shard and its table) and not at all to give a count back.
  class Counts {
   public:
    // The counted entry (valid while its count is above zero), or null at the cap.
    CountedKey* tryAdd(std::string_view key, int cap) { return tryAdd(key, keyHash(key), cap); }
    // `hash` is keyHash(key), when the caller has it already.
    CountedKey* tryAdd(std::string_view key, std::size_t hash, int cap);
    void remove(CountedKey& entry);
    std::vector<std::pair<std::string, int>> snapshot() const;

   private:
    struct Shard {
      mutable std::mutex mutex;
      Table counts;
    };
    static constexpr std::size_t kShardBits = 4;
    Shard& shardFor(std::size_t hash) { return shards_[shardOf(hash, kShardBits)]; }
    std::array<Shard, std::size_t{1} << kShardBits> shards_;
  };

  const LimitsConfig& limits_;
  RateLimiter handshakes_;
  Counts per_ip_, per_user_, pending_per_ip_;
  std::atomic<int> total_{0};
  SharedUserCounts* shared_ = nullptr;
};

}  // namespace sg::auth
