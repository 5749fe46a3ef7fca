#pragma once
// How a broadcast travels between nodes: the Redis channel of a topic, and the message,
// encoded once by the publishing node and decoded once by each receiving node (which then
// fans it out to its own sockets). The topic is the channel's name, not repeated inside.
//   byte 0: format version (1); byte 1: flags (bit 0: binary payload);
//   bytes 2-5: event length, big-endian; the event; the payload (the rest).
#include "pubsub/broadcast.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sg::cluster {

inline constexpr std::string_view kTopicChannelPrefix = "sg:topic:";

std::string topicChannel(std::string_view topic);
// The topic of a channel made by topicChannel; nullopt for any other channel.
std::optional<std::string> channelTopic(std::string_view channel);

std::string encodeBroadcast(const pubsub::Broadcast& message);
// nullptr for a message this version cannot read (logged by the caller, never delivered).
pubsub::BroadcastPtr decodeBroadcast(std::string topic, std::string_view message);

}  // namespace sg::cluster
