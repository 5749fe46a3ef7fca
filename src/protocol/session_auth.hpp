#pragma once
// What every protocol session starts with: its connection's authentication, made from the
// upgrade it was admitted on, keeping where the client is (address, Origin) and how it
// reached this server (Host, TLS), from which the URLs a session hands back are made.
#include "auth/connection_auth.hpp"
#include "protocol/endpoint.hpp"
#include "protocol/phoenix_paths.hpp"

#include <chrono>
#include <string>

namespace sg::protocol {

inline auth::ConnectionAuth sessionAuth(const auth::ConnectionAuth::Deps& deps, SessionStart& start) {
  const http::Request& request = start.request;
  return auth::ConnectionAuth(deps, std::move(start.admitted), std::move(start.lease),
                              auth::Presentation{request.client_ip, request.header("Origin").value_or("")},
                              request.header("Host").value_or("localhost"), request.secure,
                              std::chrono::steady_clock::now());
}

// The Phoenix WebSocket's URL as this connection's client reached the server: GraphQL's
// socketTicket names it, as GraphQL over HTTP does (app/graphql_api).
inline std::string phoenixSocketUrl(const auth::ConnectionAuth& auth) {
  return auth.baseUrl().append(kPhoenixSocketPath);
}

}  // namespace sg::protocol
