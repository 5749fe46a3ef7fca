#pragma once
// Phoenix Channels at /socket/websocket (and over long-poll at /socket/longpoll): `vsn`
// picks V1 (absent or ~> 1.0.0) or V2 (~> 2.0.0), anything else is refused before the
// upgrade;
// the `phoenix` subprotocol is answered when offered (the 1.8 client's authToken rides
// beside it, and browsers fail a handshake whose offered protocols are all ignored).
#include "protocol/endpoint.hpp"
#include "protocol/phoenix_paths.hpp"
#include "protocol/phoenix_session.hpp"

namespace sg::protocol {

class PhoenixEndpoint final : public Endpoint {
 public:
  explicit PhoenixEndpoint(const PhoenixDeps& deps) : shared_(deps) {}

  // Endpoint
  std::string_view path() const override { return kPhoenixSocketPath; }
  std::string_view longPollPath() const override {
    return shared_.deps.config.longpoll.enabled ? kPhoenixLongPollPath : std::string_view();
  }
  bool accepts(const http::Request&) const override { return true; }
  auth::Verdict<std::string> negotiate(const http::Request& upgrade) const override;
  Ending refusal(const http::Request& upgrade, CloseReason reason, std::optional<int> retry_after_ms) const override;
  // The stock client fires onOpen on a 101 and resets its backoff: a refusal after the
  // upgrade, or a bare socket refused later, would bring it back at once. Both only for
  // clients that say they read connect_error (auth/refusal_style.hpp).
  bool readsRefusals(const http::Request& upgrade, const AuthConfig& auth) const override;
  bool acceptsBareSocket(const http::Request& upgrade, const AuthConfig& auth) const override;
  std::unique_ptr<Session> create(SessionStart start) const override;

 private:
  PhoenixShared shared_;
};

}  // namespace sg::protocol
