#pragma once
// Who may open a socket at all, decided before any credential work so that refusing a
// flood costs almost nothing (DESIGN §6): handshakes per IP (token bucket), concurrent
// sockets per IP, per user and in total, and a small per-IP cap on sockets that are still
// waiting to authenticate by first message. A Lease holds a socket's places and gives
// them back when destroyed.
#include "auth/refusal.hpp"
#include "auth/rate_limiter.hpp"
#include "core/config.hpp"

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sg::auth {

class Admission {
 public:
  class Lease {
    struct Key {
      explicit Key() = default;
    };

   public:
    // Only Admission makes leases (the key is private); public for std::make_shared.
    Lease(Key, Admission& a, std::string ip) : admission_(a), ip_(std::move(ip)) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    // Counts the socket against its user's cap; false (and nothing counted) over it.
    bool bindUser(const std::string& user_id);
    // Counts the socket as waiting for first-message auth; false over the per-IP cap.
    bool enterPending();
    // Leaves the pending-authentication count (the socket authenticated).
    void authenticated();

   private:
    friend class Admission;
    Admission& admission_;
    std::string ip_;
    std::string user_;
    bool pending_ = false;
  };

  Admission(const LimitsConfig& limits, const Clock& clock);

  // A lease for a socket from `ip`, or the refusal (rate_limited / server_busy with
  // retry_after_ms). Shared: the handshake and then the connection hold it; one
  // allocation with its count.
  Verdict<std::shared_ptr<Lease>> admit(const std::string& ip);

  int open() const { return total_.load(std::memory_order_relaxed); }

 private:
  // Counts per key, sharded under small mutexes.
  class Counts {
   public:
    bool tryAdd(const std::string& key, int cap);
    void remove(const std::string& key);

   private:
    struct Shard {
      std::mutex mutex;
      std::unordered_map<std::string, int> counts;
    };
    std::array<Shard, 16> shards_;
  };

  const LimitsConfig& limits_;
  RateLimiter handshakes_;
  Counts per_ip_, per_user_, pending_per_ip_;
  std::atomic<int> total_{0};
};

}  // namespace sg::auth
