#pragma once
// The channels the built-in application offers:
//   <public_topics>         anyone, anonymous included (chat-style RoomChannel)
//   room:*                  any authenticated user (RoomChannel)
//   user_count:{user_id}    only that user; server pushes user_count
//   user:{user_id}          only that user; server pushes per-user events
#include "channels/channel_registry.hpp"
#include "core/config.hpp"

#include <string>

namespace sg::app {

// Returns an error naming the bad pattern, empty on success.
std::string registerBuiltinChannels(channels::ChannelRegistry& registry, const ChannelsConfig& config);

}  // namespace sg::app
