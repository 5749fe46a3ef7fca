#include "cluster/broadcast_wire.hpp"

#include <cstdint>

namespace sg::cluster {

namespace {
constexpr char kVersion = 1;
constexpr std::uint8_t kBinary = 1;
}  // namespace

std::string topicChannel(std::string_view topic) {
  std::string out(kTopicChannelPrefix);
  out += topic;
  return out;
}

std::optional<std::string> channelTopic(std::string_view channel) {
  if (!channel.starts_with(kTopicChannelPrefix)) return std::nullopt;
  return std::string(channel.substr(kTopicChannelPrefix.size()));
}

std::string encodeBroadcast(const pubsub::Broadcast& message) {
  const auto& event = message.event();
  std::string out;
  out.reserve(6 + event.size() + message.payload().size());
  out.push_back(kVersion);
  out.push_back(static_cast<char>(message.binary() ? kBinary : 0));
  auto n = static_cast<std::uint32_t>(event.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
  out += event;
  out += message.payload();
  return out;
}

pubsub::BroadcastPtr decodeBroadcast(std::string topic, std::string_view message) {
  if (message.size() < 6 || message[0] != kVersion) return nullptr;
  auto flags = static_cast<std::uint8_t>(message[1]);
  if (flags & ~kBinary) return nullptr;
  std::uint32_t n = 0;
  for (std::size_t i = 2; i < 6; ++i) n = (n << 8) | static_cast<std::uint8_t>(message[i]);
  if (n > message.size() - 6) return nullptr;
  return std::make_shared<const pubsub::Broadcast>(std::move(topic), std::string(message.substr(6, n)),
                                                   std::string(message.substr(6 + n)), (flags & kBinary) != 0);
}

}  // namespace sg::cluster
