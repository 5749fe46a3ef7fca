#pragma once
// What a protocol session needs from the connection under it. net/ implements it over a
// WebSocket; unit tests implement it with a vector of frames.
#include "core/close_reason.hpp"
#include "pubsub/broadcast.hpp"

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
  // Sends the close frame after what is queued. Asynchronous: never re-enters the caller.
  virtual void close(CloseReason reason) = 0;
};

}  // namespace sg::protocol
