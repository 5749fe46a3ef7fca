#include "app/builtin_channels.hpp"

#include "app/absinthe_channel.hpp"
#include "channels/room_channel.hpp"

namespace sg::app {

std::string registerBuiltinChannels(channels::ChannelRegistry& registry, const ChannelsConfig& config) {
  auto room = std::make_shared<channels::RoomChannel>();
  auto listen_only = std::make_shared<channels::ListenOnlyChannel>();
  for (const auto& pattern : config.public_topics) {
    if (!registry.add(pattern, channels::anyone(), room)) return "channels.public_topics: bad pattern '" + pattern + "'";
  }
  registry.add("room:*", channels::authenticated(), room);
  registry.add("user_count:{user_id}", channels::ownUser("user_id"), listen_only);
  registry.add("user:{user_id}", channels::ownUser("user_id"), listen_only);
  return {};
}

void registerAbsintheChannel(channels::ChannelRegistry& registry, protocol::GraphqlOperations& operations,
                             std::size_t shards) {
  registry.add(AbsintheChannel::kTopic, channels::anyone(), std::make_shared<AbsintheChannel>(operations, shards));
}

}  // namespace sg::app
