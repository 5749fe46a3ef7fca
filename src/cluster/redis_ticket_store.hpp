#pragma once
// TicketStore in Redis, shared by every node: put = SET key claims NX PX ttl, take =
// GETDEL (Redis >= 6.2), which is atomic across nodes: of any number of presentations of
// one ticket, on any nodes, exactly one gets the claims. While Redis is down both answer
// Errc::unavailable (ticket minting 503, handshakes server_busy). Expired tickets are kept
// `grace` longer, as the memory store keeps them, so that a late presentation is told
// token_expired rather than token_invalid; Redis drops them after that.
#include "cluster/redis_client.hpp"
#include "core/clock.hpp"
#include "tickets/ticket_store.hpp"

namespace sg::cluster {

class RedisTicketStore final : public tickets::TicketStore {
 public:
  RedisTicketStore(RedisClient& redis, const Clock& clock, std::chrono::seconds grace = std::chrono::seconds(60))
      : redis_(redis), clock_(clock), grace_(grace) {}

  // TicketStore
  void put(const tickets::TicketHash& key, const tickets::TicketClaims& claims, PutDone done) override;
  void take(const tickets::TicketHash& key, TakeDone done) override;
  // Not known to one node (Redis holds every node's tickets): 0.
  std::size_t size() const override { return 0; }

 private:
  RedisClient& redis_;
  const Clock& clock_;
  std::chrono::seconds grace_;
};

}  // namespace sg::cluster
