#pragma once
// One-time token ids (JWT `jti`) in Redis, shared by every node: SET key 1 NX PX, so the
// first presentation on any node marks the id until the token could no longer be
// accepted, and every later one, on any node, finds the mark. Errc::unavailable while
// Redis is down (the handshake is refused server_busy, never let through unmarked).
#include "cluster/redis_client.hpp"
#include "core/clock.hpp"
#include "tickets/one_time_markers.hpp"

namespace sg::cluster {

class RedisOneTimeMarkers final : public tickets::OneTimeMarkers {
 public:
  RedisOneTimeMarkers(RedisClient& redis, const Clock& clock) : redis_(redis), clock_(clock) {}

  void markFirstUse(std::string_view token_id, std::chrono::system_clock::time_point until, Done done) override;
  std::size_t size() const override { return 0; }  // held by Redis, for every node

 private:
  RedisClient& redis_;
  const Clock& clock_;
};

}  // namespace sg::cluster
