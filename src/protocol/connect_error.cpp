#include "protocol/connect_error.hpp"

#include <boost/json/value.hpp>

namespace sg::protocol {

std::string encodeConnectError(phoenix::Version version, CloseReason reason, std::optional<int> retry_after_ms) {
  const auto& info = closeInfo(reason);
  boost::json::object payload{
      {"code", info.code},
      {"reason", info.name},
      {"reconnect", reconnectAdviceName(info.advice)},
  };
  if (retry_after_ms) payload["retry_after_ms"] = *retry_after_ms;
  else payload["retry_after_ms"] = nullptr;
  return phoenix::encodeText(version, phoenix::Envelope{std::nullopt, std::nullopt, "phoenix", "connect_error"},
                             boost::json::value(std::move(payload)));
}

}  // namespace sg::protocol
