#pragma once
// Revocations shared by every node. Records are Redis keys with the record's lifetime as
// their TTL (sg:rev:s:{session_ref}, and sg:rev:u:{user_id} holding the revocation time
// in ms), read on every check, so a credential presented on any node meets a revocation
// made on any other. A revocation is then announced on the control channel (PUBLISH, on
// the same connection right after the record, so every node reads the record before it
// hears the announcement), and every node, this one included, closes its matching
// sockets when the announcement arrives. This node's own sockets are closed at once too,
// so that a logout closes them even while Redis is down.
#include "auth/revocations.hpp"
#include "cluster/redis_client.hpp"
#include "cluster/revocation_wire.hpp"
#include "core/clock.hpp"

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

 private:
  void announce(const std::vector<std::string>& record, const RevocationAnnouncement& a);

  RedisClient& redis_;
  const Clock& clock_;
  OnRevoked on_revoked_;
};

}  // namespace sg::cluster
