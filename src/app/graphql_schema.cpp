#include "app/graphql_schema.hpp"

namespace sg::app {

std::string_view applicationSchemaSdl() {
  return R"graphql(
"An account of the built-in application."
type Account {
  id: ID!
  "Normalised: trimmed, lower case."
  email: String!
}

"A signed-in cookie session."
type Session {
  account: Account!
  "Send it as X-CSRF-Token with every state-changing request that carries the cookie."
  csrfToken: String!
}

"A one-time WebSocket ticket, bound to the user, session, client IP and Origin."
type SocketTicket {
  ticket: String!
  "Seconds until the ticket expires."
  expiresIn: Int!
  socketUrl: String!
}

type UserCount {
  userId: ID!
  count: Int!
}

"A broadcast on a channel topic."
type ChannelMessage {
  topic: String!
  event: String!
  payload: JSON
}

"Any JSON value."
scalar JSON

type Query {
  "The signed-in account; null when signed out."
  accountsMe: Account
}

type Mutation {
  "Creates an account and signs in (sets the session cookie). Needs an allowed Origin."
  accountsRegister(email: String!, password: String!): Session!
  "Signs in (sets the session cookie). Needs an allowed Origin."
  accountsLogin(email: String!, password: String!): Session!
  "Ends the session and every socket it authorised. Needs X-CSRF-Token."
  accountsLogout: Boolean!
  "A one-time ticket for a WebSocket. Needs X-CSRF-Token with a cookie session."
  socketTicket: SocketTicket!
}

type Subscription {
  "The live count of a user: the caller's when userId is omitted; only the caller's."
  accountsUserCount(userId: ID): UserCount!
  "Broadcasts on a topic, under the same join rules as Phoenix channels."
  channel(topic: String!): ChannelMessage!
}
)graphql";
}

}  // namespace sg::app
