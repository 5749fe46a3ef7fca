#pragma once
// Who may join a topic. The registry asks the rule of the matching pattern with the
// caller's Identity and the topic's named segments; this is the one place where channel
// authorization is decided.
#include "channels/topic_pattern.hpp"
#include "core/identity.hpp"

#include <functional>

namespace sg::channels {

using JoinRule = std::function<bool(const Identity&, const TopicParams&)>;

// Anyone, anonymous sockets included.
JoinRule anyone();
// Any authenticated identity.
JoinRule authenticated();
// Only the user whose id equals the topic's `{param}` segment ("user_count:{user_id}").
JoinRule ownUser(std::string param = "user_id");

}  // namespace sg::channels
