#pragma once
// Revocations shared by every node. Records are Redis keys with the record's lifetime as
// their TTL (sg:rev:s:{session_ref}, and sg:rev:u:{user_id} holding the revocation time
// in ms), read on every check, so a credential presented on any node meets a revocation
// made on any other. A revocation is then announced on the control channel (PUBLISH, on
// the same connection right after the record, so every node reads the record before it
// hears the announcement), and every node, this one included, closes its matching
// sockets when the announcement arrives. This node's own sockets are closed at once too,
// so that a logout closes them even while Redis is down. Announcements are also appended
// to a capped stream (sg:revocations, about the last 10 000): a node whose subscription
// connection dropped replays, once it is back, what was announced since shortly before
// it dropped, so that no socket outlives a revocation it did not hear of. A revocation
// made while Redis is down closes this node's sockets at once, and is written and
// announced to the others when Redis is back (kept in memory meanwhile, up to
// kMaxUnsent: a node that restarts meanwhile loses them).
#include "auth/revocations.hpp"
#include "cluster/redis_client.hpp"
#include "cluster/revocation_wire.hpp"
#include "core/clock.hpp"

#include <cstdint>
#include <mutex>
#include <vector>
#include <string_view>

namespace sg::cluster {

class RedisRevocations final : public auth::Revocations {
 public:
  RedisRevocations(RedisClient& redis, const Clock& clock) : redis_(redis), clock_(clock) {}

  // Revocations
  void revokeSession(const std::string& user_id, const std::string& session_ref, TimePoint until) override;
  void revokeUser(const std::string& user_id, TimePoint at, std::chrono::seconds keep_for) override;
  void check(const Identity& who, CheckDone done) const override;
  void setOnRevoked(OnRevoked on_revoked) override { on_revoked_ = std::move(on_revoked); }

  // A message on kControlChannel (from any node): closes the matching local sockets.
  void onAnnouncement(std::string_view message) const;
  // The subscription connection dropped / is back (RedisClient hooks, its thread).
  void subscriptionsLost();
  void replayMissed();
  // Writes and announces what could not be while Redis was down (on reconnect).
  void sendUnsent();

  static constexpr std::size_t kMaxUnsent = 100'000;

 private:
  struct Unsent {
    RevocationAnnouncement what;
    TimePoint until;            // the record's expiry
    std::string user_at_ms;     // a user record's value (empty for a session)
  };
  void announce(Unsent revocation, bool local);
  void send(Unsent revocation);

  RedisClient& redis_;
  const Clock& clock_;
  OnRevoked on_revoked_;
  // When this node stopped hearing announcements (ms since 1970, this node's clock); 0 =
  // it has heard every one since it started. Client thread only.
  std::int64_t deaf_since_ms_ = 0;
  std::mutex unsent_mutex_;
  std::vector<Unsent> unsent_;
};

}  // namespace sg::cluster
