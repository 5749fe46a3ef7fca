#pragma once
// The channels the built-in application offers:
//   <public_topics>         anyone, anonymous included (chat-style RoomChannel)
//   room:*                  any authenticated user (RoomChannel)
//   user_count:{user_id}    only that user; server pushes user_count
//   user:{user_id}          only that user; server pushes per-user events
//   __absinthe__:control    anyone: GraphQL over Absinthe's protocol (app/absinthe_channel),
//                           each document authorized on its own
#include "channels/channel_registry.hpp"
#include "core/config.hpp"
#include "protocol/graphql_operations.hpp"

#include <string>

namespace sg::app {

// Returns an error naming the bad pattern, empty on success.
std::string registerBuiltinChannels(channels::ChannelRegistry& registry, const ChannelsConfig& config);

// Absinthe's control topic. Register it before the others, so that no public pattern can
// take it. `operations` outlives the registry; `shards` is the server's shard count.
void registerAbsintheChannel(channels::ChannelRegistry& registry, protocol::GraphqlOperations& operations,
                             std::size_t shards);

}  // namespace sg::app
