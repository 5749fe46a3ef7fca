#pragma once
// The one message a refused connection receives before its close frame (DESIGN §4):
// [null,null,"phoenix","connect_error",{"code","reason","reconnect","retry_after_ms"}].
#include "core/close_reason.hpp"
#include "protocol/phoenix_codec.hpp"

#include <optional>
#include <string>

namespace sg::protocol {

std::string encodeConnectError(phoenix::Version version, CloseReason reason, std::optional<int> retry_after_ms);

}  // namespace sg::protocol
