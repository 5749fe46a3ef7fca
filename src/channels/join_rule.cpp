#include "channels/join_rule.hpp"

namespace sg::channels {

JoinRule anyone() {
  return [](const Identity&, const TopicParams&) { return true; };
}

JoinRule authenticated() {
  return [](const Identity& who, const TopicParams&) { return !who.anonymous() && !who.user_id.empty(); };
}

JoinRule ownUser(std::string param) {
  return [param = std::move(param)](const Identity& who, const TopicParams& params) {
    if (who.anonymous() || who.user_id.empty()) return false;
    const std::string* id = findParam(params, param);
    return id && *id == who.user_id;
  };
}

}  // namespace sg::channels
