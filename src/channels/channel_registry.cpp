#include "channels/channel_registry.hpp"

namespace sg::channels {

bool ChannelRegistry::add(std::string_view pattern, JoinRule rule, std::shared_ptr<ChannelHandler> handler) {
  auto parsed = TopicPattern::parse(pattern);
  if (!parsed) return false;
  specs_.push_back(ChannelSpec{std::move(*parsed), std::move(rule), std::move(handler)});
  return true;
}

std::optional<ResolvedTopic> ChannelRegistry::resolve(std::string_view topic) const {
  for (const auto& spec : specs_) {
    if (auto params = spec.pattern.match(topic)) return ResolvedTopic{&spec, std::move(*params)};
  }
  return std::nullopt;
}

}  // namespace sg::channels
