#include "channels/room_channel.hpp"

namespace sg::channels {

Reply RoomChannel::onEvent(ChannelContext& ctx, const InboundEvent& in) {
  if (in.event == "ping") {
    if (in.binary_payload) return Reply::okBinary(*in.binary_payload);
    return Reply::okWith(in.payload);
  }
  // Events a client library takes for the server's own, whatever their topic: Phoenix's,
  // and Absinthe's subscription results (@absinthe/socket matches them by the payload's
  // subscriptionId alone, so a room member could feed fake results to others).
  if (in.event.starts_with("phx_") || in.event == "subscription:data") return Reply::error("unknown event");
  if (in.binary_payload) ctx.broadcastBinary(ctx.topic(), std::string(in.event), *in.binary_payload);
  else ctx.broadcast(ctx.topic(), std::string(in.event), in.payload);
  return Reply::okWith(boost::json::object{});
}

Reply ListenOnlyChannel::onEvent(ChannelContext&, const InboundEvent&) {
  return Reply::error("unknown event");
}

}  // namespace sg::channels
