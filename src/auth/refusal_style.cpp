#include "auth/refusal_style.hpp"

#include <boost/json/value.hpp>

namespace sg::auth {

bool saysItReadsConnectError(const http::Request& upgrade) {
  const auto* said = upgrade.param(kRefusalStyleParam);
  return said && *said == kReadsConnectError;
}

bool refusesWithMessage(const AuthConfig& config, const http::Request& upgrade) {
  if (config.reject_with == "message") return true;
  if (config.reject_with == "http") return false;
  return saysItReadsConnectError(upgrade);
}

bool mayAuthenticateLater(const AuthConfig& config, const http::Request& upgrade) {
  return config.reject_with == "message" || saysItReadsConnectError(upgrade);
}

http::Response refusalResponse(const Refusal& refusal) {
  const auto& info = closeInfo(refusal.reason);
  boost::json::object body{
      {"error", info.name},
      {"message", "WebSocket connection refused"},
      {"reconnect", reconnectAdviceName(info.advice)},
      {"retry_after_ms", nullptr},
  };
  if (refusal.retry_after_ms) body["retry_after_ms"] = *refusal.retry_after_ms;
  auto response = http::Response::json(info.http_status, body);
  // Whole seconds, rounded up: coming back early would only be refused again.
  if (refusal.retry_after_ms) response.with("Retry-After", std::to_string((*refusal.retry_after_ms + 999) / 1000));
  return response;
}

}  // namespace sg::auth
