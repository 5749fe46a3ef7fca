#include "channels/room_channel.hpp"

namespace sg::channels {

Reply RoomChannel::onEvent(ChannelContext& ctx, const InboundEvent& in) {
  if (in.event == "ping") {
    if (in.binary_payload) return Reply{true, nullptr, *in.binary_payload};
    return Reply::okWith(in.payload);
  }
  if (in.event.starts_with("phx_")) return Reply::error("unknown event");
  if (in.binary_payload) ctx.broadcastBinary(ctx.topic(), std::string(in.event), *in.binary_payload);
  else ctx.broadcast(ctx.topic(), std::string(in.event), in.payload);
  return Reply::okWith(boost::json::object{});
}

Reply ListenOnlyChannel::onEvent(ChannelContext&, const InboundEvent&) {
  return Reply::error("unknown event");
}

}  // namespace sg::channels
