#pragma once
// What a protocol session needs from the connection under it: send frames, end the
// connection for a reason, grow the inbound message limit once authenticated, and come
// back to the connection's shard after asynchronous work. net/ implements it over a
// WebSocket and over long-poll; unit tests implement it with a vector of frames.
#include "core/close_reason.hpp"
#include "pubsub/broadcast.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace sg::protocol {

enum class SendResult : std::uint8_t {
  Queued,
  Overflow,  // the outbound queue is over its byte cap; the transport closes slow_consumer
  Closed,    // the connection is closing; the frame was dropped
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual SendResult send(pubsub::Frame frame, bool binary) = 0;
  // Ends the connection for `reason`: what the session's protocol says on the way out
  // (Session::ending), then the close frame, after what is queued. Asynchronous: never
  // re-enters the caller.
  virtual void closeWith(CloseReason reason, std::optional<int> retry_after_ms) = 0;
  void close(CloseReason reason) { closeWith(reason, std::nullopt); }
  // The largest message the peer may send from now on (grows once authenticated).
  virtual void setMaxMessageBytes(std::size_t bytes) = 0;
  // A function that runs a task on the connection's shard, later, unless the connection
  // has ended by then. Safe to keep and call from any thread after the connection has
  // gone: the way back from asynchronous work (stores, other shards).
  using Poster = std::function<void(std::function<void()>)>;
  virtual Poster poster() = 0;
  // Expires when the connection is gone, and with it the session and all it owns: what a
  // later answer checks before it touches them.
  virtual std::weak_ptr<const void> lifetime() const = 0;
};

}  // namespace sg::protocol
