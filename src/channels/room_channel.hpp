#pragma once
// "room:*": a chat-style channel. `ping` replies with the payload it was given; any other
// event is broadcast to everyone in the room (sender included) and acknowledged, except
// events clients take for the server's (phx_*, subscription:data), which are refused.
#include "channels/channel_handler.hpp"

namespace sg::channels {

class RoomChannel final : public ChannelHandler {
 public:
  Reply onEvent(ChannelContext& ctx, const InboundEvent& in) override;
};

// Channels the server pushes to but clients only listen on (user_count:{user_id}):
// every client event is refused with "unknown event".
class ListenOnlyChannel final : public ChannelHandler {
 public:
  Reply onEvent(ChannelContext& ctx, const InboundEvent& in) override;
};

}  // namespace sg::channels
