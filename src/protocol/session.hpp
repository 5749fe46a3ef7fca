#pragma once
// One protocol spoken over one connection, a WebSocket after the upgrade or a long-poll
// session (Phoenix Channels, graphql-transport-ws): messages in, frames out through its
// Transport. net/ owns the bytes (framing, queues, timeouts, close handshake); the session owns everything the
// messages mean, authentication included (auth::ConnectionAuth). Created by the
// Endpoint the upgrade was routed to; lives on the connection's shard.
#include "core/close_reason.hpp"
#include "core/identity.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg::protocol {

// How a protocol says goodbye for a reason: an optional last message (Phoenix's
// connect_error), then the close frame's code and reason text, from the protocol's own
// mapping of the close table (DESIGN §4).
struct Ending {
  std::optional<std::string> message;
  std::uint16_t code = 1000;
  std::string reason;  // at most 123 bytes (RFC 6455 §5.5)
};

class Session {
 public:
  virtual ~Session() = default;
  // The connection is registered on its shard; messages follow.
  virtual void start() = 0;
  virtual void onText(std::string_view message) = 0;
  virtual void onBinary(std::string_view message) = 0;
  // Once a second: the session ends the connection when one of its deadlines has passed
  // (first-message auth window, credential expiry).
  virtual void checkDeadlines(std::chrono::steady_clock::time_point now) = 0;
  // Who the connection acts for, for revocation sweeps; null while it has nobody.
  virtual const Identity* identity() const = 0;
  // Still to authenticate by message (a close now counts as a refusal).
  virtual bool authPending() const = 0;
  virtual Ending ending(CloseReason reason, std::optional<int> retry_after_ms) const = 0;
  // The connection has ended: leave every topic. Nothing may be sent any more.
  virtual void onEnded() = 0;
};

}  // namespace sg::protocol
