#include "protocol/phoenix_endpoint.hpp"

#include "auth/refusal_style.hpp"
#include "http/header_list.hpp"

namespace sg::protocol {
namespace {

std::optional<phoenix::Version> versionOf(const http::Request& upgrade) {
  const auto* vsn = upgrade.param("vsn");
  return phoenix::parseVsn(vsn ? std::optional<std::string_view>(*vsn) : std::nullopt);
}

}  // namespace

auth::Verdict<std::string> PhoenixEndpoint::negotiate(const http::Request& upgrade) const {
  if (!upgrade.query_valid || !versionOf(upgrade)) return auth::Refusal{CloseReason::BadRequest, std::nullopt};
  return std::string(http::listsItem(upgrade, "Sec-WebSocket-Protocol", "phoenix") ? "phoenix" : "");
}

Ending PhoenixEndpoint::refusal(const http::Request& upgrade, CloseReason reason,
                                std::optional<int> retry_after_ms) const {
  // negotiate() refused a bad vsn before the upgrade (as HTTP); V2 is only a fallback.
  return phoenixEnding(versionOf(upgrade).value_or(phoenix::Version::V2), reason, retry_after_ms);
}

bool PhoenixEndpoint::readsRefusals(const http::Request& upgrade, const AuthConfig& auth) const {
  return auth::refusesWithMessage(auth, upgrade);
}

bool PhoenixEndpoint::acceptsBareSocket(const http::Request& upgrade, const AuthConfig& auth) const {
  return auth::mayAuthenticateLater(auth, upgrade);
}

std::unique_ptr<Session> PhoenixEndpoint::create(SessionStart start) const {
  return std::make_unique<PhoenixSession>(shared_, versionOf(start.request).value_or(phoenix::Version::V2),
                                          std::move(start));
}

}  // namespace sg::protocol
