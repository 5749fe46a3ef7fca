#pragma once
// Phoenix Channels as a protocol session: a PhoenixSocket (frames, joins, channels,
// broadcasts) and the connection's authentication (auth::ConnectionAuth) behind the
// control events on topic "phoenix": `auth` for first-message authentication and
// `refresh_token` to extend a live identity. Ends connections the Phoenix way: one
// connect_error message for the reasons a client must understand, then the close code.
#include "auth/connection_auth.hpp"
#include "channels/channel_registry.hpp"
#include "core/config.hpp"
#include "obs/metrics.hpp"
#include "protocol/endpoint.hpp"
#include "protocol/phoenix_socket.hpp"

namespace sg::protocol {

struct PhoenixDeps {
  const channels::ChannelRegistry& channels;
  pubsub::PubSub& pubsub;
  obs::Metrics& metrics;
  auth::TokenVerifier& tokens;
  const Clock& clock;
  const Config& config;
  presence::Tracker* presence = nullptr;  // none when channels.presence_topics is empty
};

// What every Phoenix session of an endpoint shares, built once; sessions keep references.
struct PhoenixShared {
  explicit PhoenixShared(const PhoenixDeps& d)
      : deps(d), socket{d.channels, d.pubsub, d.metrics, d.presence},
        auth{d.tokens, d.clock, std::chrono::seconds(d.config.auth.auth_timeout_s)} {}
  PhoenixDeps deps;
  PhoenixSocket::Deps socket;
  auth::ConnectionAuth::Deps auth;
};

// The Phoenix ending for `reason` (DESIGN §4): connect_error for 44xx and 4503, then the code.
Ending phoenixEnding(phoenix::Version version, CloseReason reason, std::optional<int> retry_after_ms);

class PhoenixSession final : public Session, private ControlHandler {
 public:
  PhoenixSession(const PhoenixShared& shared, phoenix::Version version, SessionStart start);

  // Session
  void start() override;
  void onText(std::string_view message) override { socket_.onText(message); }
  void onBinary(std::string_view message) override { socket_.onBinary(message); }
  void checkDeadlines(std::chrono::steady_clock::time_point now) override;
  const Identity* identity() const override;
  bool authPending() const override { return auth_.pending(); }
  Ending ending(CloseReason reason, std::optional<int> retry_after_ms) const override;
  void onEnded() override { socket_.leaveAll(); }

 private:
  // ControlHandler: `auth` and `refresh_token` on topic "phoenix"; the peer
  void onControl(std::string_view event, const boost::json::value& payload, ControlReply reply) override;
  channels::Peer peer() const override;
  void authenticate(const boost::json::value& payload, ControlReply reply);
  void refresh(const boost::json::value& payload, ControlReply reply);

  // The connection's, which the socket holds too (one reference fewer per idle socket).
  Transport& transport() const { return socket_.transport(); }

  const PhoenixDeps& deps_;
  auth::ConnectionAuth auth_;
  PhoenixSocket socket_;
};

}  // namespace sg::protocol
