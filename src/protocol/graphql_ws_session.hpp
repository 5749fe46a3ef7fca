#pragma once
// GraphQL over WebSocket, the graphql-transport-ws protocol (the `graphql-ws` library's
// PROTOCOL.md), as a protocol session: connection_init (with the credential), then
// subscribe/next/error/complete, ping/pong. Operations run through GraphqlOperations;
// a subscription listens to its stream's pub/sub topic and sends one `next` per broadcast,
// the result computed once per stream, broadcast and shard.
//
// Credentials (DESIGN §3): what the handshake carried (?ticket=), or connection_init's
// payload: {ticket}, {token} (a JWT), or {csrfToken} with the handshake's session cookie
// and an allowed Origin. Refusals and every other end are told with close codes chosen so
// that the graphql-ws client retries exactly when retrying can help (graphqlWsEnding).
// A ping whose payload carries {refreshToken} extends a live identity (like Phoenix's
// refresh_token); its pong says {refreshed, expiresAt} or {refreshed: false, reason}.
#include "auth/connection_auth.hpp"
#include "auth/session_lookup.hpp"
#include "core/config.hpp"
#include "obs/metrics.hpp"
#include "protocol/endpoint.hpp"
#include "protocol/graphql_operations.hpp"
#include "protocol/graphql_ws_messages.hpp"
#include "pubsub/pubsub.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace sg::protocol {

struct GraphqlWsDeps {
  GraphqlOperations& operations;
  pubsub::PubSub& pubsub;
  obs::Metrics& metrics;
  auth::TokenVerifier& tokens;
  auth::SessionLookup* sessions;  // null: cookie sessions are not available
  const Clock& clock;
  const Config& config;
};

// What every session of the endpoint shares, built once.
struct GraphqlWsShared {
  explicit GraphqlWsShared(const GraphqlWsDeps& d)
      : deps(d), auth{d.tokens, d.clock, std::chrono::seconds(d.config.auth.auth_timeout_s)} {}
  GraphqlWsDeps deps;
  auth::ConnectionAuth::Deps auth;
};

// The close code and reason for `reason` in this protocol (README: "graphql-transport-ws
// close codes"). Reasons after which a retry cannot help use codes the graphql-ws client
// treats as fatal (4400, 4401, 1008, ...); the others codes it retries (4408, 4509, 1001,
// 1013), and those that need a wait say how long in the reason text.
Ending graphqlWsEnding(CloseReason reason, std::optional<int> retry_after_ms);

class GraphqlWsSession final : public Session {
 public:
  GraphqlWsSession(const GraphqlWsShared& shared, SessionStart start);
  ~GraphqlWsSession() override;

  // Session
  void start() override;
  void onText(std::string_view message) override;
  void onBinary(std::string_view message) override;
  void checkDeadlines(std::chrono::steady_clock::time_point now) override;
  const Identity* identity() const override;
  bool authPending() const override { return !acknowledged_; }
  Ending ending(CloseReason reason, std::optional<int> retry_after_ms) const override;
  void onEnded() override;

 private:
  class Listener;
  // An operation whose id is in use: running, or a live subscription (listener set).
  struct Operation {
    std::uint64_t serial;
    std::unique_ptr<Listener> listener;
  };

  void onInit(graphql_ws::ConnectionInit& init);
  void onPing(graphql_ws::Ping& ping);
  void onSubscribe(graphql_ws::Subscribe& subscribe);
  void onComplete(const std::string& id);
  void acknowledge();
  void listen(const std::string& id, std::shared_ptr<const GraphqlStream> stream);
  void stopListening(Operation& op);
  void send(std::string text);
  // Ends the connection with a code of this protocol's own (4400 with the reason, 4409,
  // 4429, ...), counted under `counted_as`.
  void closeOwn(std::uint16_t code, std::string reason, CloseReason counted_as);

  const GraphqlWsDeps& deps_;
  Transport& transport_;
  std::size_t shard_;
  auth::ConnectionAuth auth_;
  std::optional<std::string> session_cookie_;  // the handshake's, for {csrfToken}
  std::chrono::steady_clock::time_point connected_at_;
  bool init_received_ = false;
  bool acknowledged_ = false;
  bool ended_ = false;
  std::uint64_t next_serial_ = 0;
  std::map<std::string, Operation, std::less<>> operations_;
  std::optional<Ending> own_ending_;
};

}  // namespace sg::protocol
