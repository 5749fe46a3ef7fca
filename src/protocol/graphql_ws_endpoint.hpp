#pragma once
// graphql-transport-ws at /api/graphql, for upgrades that offer that subprotocol (it is
// echoed; an upgrade there that offers none of ours is refused with HTTP 400). The same
// path answers GraphQL over HTTP (app/graphql_api) to requests that do not upgrade.
#include "protocol/endpoint.hpp"
#include "protocol/graphql_ws_session.hpp"

namespace sg::protocol {

inline constexpr std::string_view kGraphqlSocketPath = "/api/graphql";

class GraphqlWsEndpoint final : public Endpoint {
 public:
  explicit GraphqlWsEndpoint(const GraphqlWsDeps& deps) : shared_(deps) {}

  // Endpoint
  std::string_view path() const override { return kGraphqlSocketPath; }
  bool accepts(const http::Request& upgrade) const override;
  auth::Verdict<std::string> negotiate(const http::Request& upgrade) const override;
  Ending refusal(const http::Request& upgrade, CloseReason reason, std::optional<int> retry_after_ms) const override;
  std::unique_ptr<Session> create(SessionStart start) const override;

 private:
  GraphqlWsShared shared_;
};

}  // namespace sg::protocol
