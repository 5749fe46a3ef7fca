#pragma once
// A node's Redis back end in one piece, for `serve` to wire: the client (started after
// the server is bound, so the node name can be its address), and over it the TicketStore,
// OneTimeMarkers, Revocations and Broker of a cluster. Messages from Redis go to the
// broker (topic channels) or to the revocations (the control channel).
#include "cluster/redis_broker.hpp"
#include "cluster/redis_client.hpp"
#include "cluster/redis_login_throttle.hpp"
#include "cluster/redis_one_time_markers.hpp"
#include "cluster/redis_revocations.hpp"
#include "cluster/redis_ticket_store.hpp"
#include "cluster/redis_user_counts.hpp"

#include <sodium.h>

namespace sg::cluster {

class RedisCluster {
 public:
  RedisCluster(const RedisEndpoint& endpoint, const Clock& clock, const auth::LoginLimits& login_limits)
      : client_(endpoint, "node"), tickets_(client_, clock), markers_(client_, clock), revocations_(client_, clock),
        broker_(client_), user_counts_(client_), logins_(client_, login_limits) {
    client_.setOnMessage([this](const std::string& channel, std::string message) {
      if (channel == kControlChannel) revocations_.onAnnouncement(message);
      else broker_.onRedisMessage(channel, message);
    });
    client_.subscribe(std::string(kControlChannel));
  }

  // Connects (in the background: a Redis that is down is retried, and until then
  // everything that needs it answers server_busy). `node_name` names this node in logs;
  // `local_counts` are its sockets per user (Admission), written to Redis on every
  // (re)connect.
  void start(const std::string& node_name, auth::SharedUserCounts::LocalCounts local_counts) {
    unsigned char random[6];
    randombytes_buf(random, sizeof random);
    std::string id = node_name + "/";
    for (unsigned char b : random) id += "0123456789abcdef"[b >> 4], id += "0123456789abcdef"[b & 15];
    user_counts_.setNode(std::move(id), std::move(local_counts));
    client_.setName(node_name);
    client_.setOnConnected([this] {
      user_counts_.resync();
      revocations_.sendUnsent();
      revocations_.replayMissed();
    });
    client_.setOnSubscriptionsLost([this] { revocations_.subscriptionsLost(); });
    client_.start();
  }
  void stop() { client_.stop(); }

  bool ready() const { return client_.ready(); }
  RedisClient& client() { return client_; }
  RedisTicketStore& tickets() { return tickets_; }
  RedisOneTimeMarkers& markers() { return markers_; }
  RedisRevocations& revocations() { return revocations_; }
  RedisBroker& broker() { return broker_; }
  RedisUserCounts& userCounts() { return user_counts_; }
  RedisLoginThrottle& logins() { return logins_; }

 private:
  RedisClient client_;
  RedisTicketStore tickets_;
  RedisOneTimeMarkers markers_;
  RedisRevocations revocations_;
  RedisBroker broker_;
  RedisUserCounts user_counts_;
  RedisLoginThrottle logins_;
};

}  // namespace sg::cluster
