#pragma once
// Topic patterns with their join rules and handlers, consulted at every phx_join.
// Built once at start, then read-only (shared by all shards without locks).
#include "channels/channel_handler.hpp"
#include "channels/join_rule.hpp"
#include "channels/topic_pattern.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sg::channels {

struct ChannelSpec {
  TopicPattern pattern;
  JoinRule rule;
  std::shared_ptr<ChannelHandler> handler;
};

struct ResolvedTopic {
  const ChannelSpec* spec;
  TopicParams params;
};

class ChannelRegistry {
 public:
  // Returns false when the pattern is malformed.
  bool add(std::string_view pattern, JoinRule rule, std::shared_ptr<ChannelHandler> handler);
  // The first pattern, in order of add(), that matches `topic`.
  std::optional<ResolvedTopic> resolve(std::string_view topic) const;

 private:
  std::vector<ChannelSpec> specs_;
};

}  // namespace sg::channels
