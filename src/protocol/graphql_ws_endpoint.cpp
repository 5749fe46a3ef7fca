#include "protocol/graphql_ws_endpoint.hpp"

#include "http/header_list.hpp"

namespace sg::protocol {

bool GraphqlWsEndpoint::accepts(const http::Request& upgrade) const {
  return http::listsItem(upgrade, "Sec-WebSocket-Protocol", graphql_ws::kSubprotocol);
}

auth::Verdict<std::string> GraphqlWsEndpoint::negotiate(const http::Request&) const {
  return std::string(graphql_ws::kSubprotocol);
}

Ending GraphqlWsEndpoint::refusal(const http::Request&, CloseReason reason, std::optional<int> retry_after_ms) const {
  return graphqlWsEnding(reason, retry_after_ms);
}

std::unique_ptr<Session> GraphqlWsEndpoint::create(SessionStart start) const {
  return std::make_unique<GraphqlWsSession>(shared_, std::move(start));
}

}  // namespace sg::protocol
