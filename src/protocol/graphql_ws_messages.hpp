#pragma once
// The messages of the graphql-transport-ws protocol (the `graphql-ws` library's
// PROTOCOL.md): client messages parsed and checked, server messages written. No I/O.
#include "protocol/graphql_operations.hpp"

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace sg::protocol::graphql_ws {

inline constexpr std::string_view kSubprotocol = "graphql-transport-ws";

struct ConnectionInit {
  boost::json::object payload;  // empty when absent or null
};
struct Ping {
  boost::json::object payload;
};
struct Pong {};
struct Subscribe {
  std::string id;
  GraphqlRequest request;
};
struct Complete {
  std::string id;
};

using ClientMessage = std::variant<ConnectionInit, Ping, Pong, Subscribe, Complete>;

// A client message, or why it is invalid (the 4400 close reason: short, readable).
boost::system::result<ClientMessage, std::string> parseClientMessage(std::string_view text);

std::string connectionAck(const boost::json::object& payload);
std::string pong(const boost::json::object& payload);  // empty payload: none
// `result` and `errors` are JSON texts (an execution result, an array of GraphQL errors).
std::string next(std::string_view id, std::string_view result);
std::string error(std::string_view id, std::string_view errors);
std::string complete(std::string_view id);

}  // namespace sg::protocol::graphql_ws
