#pragma once
// The application's GraphQL schema (issue 12), as SDL: accounts, cookie sessions, socket
// tickets, and the subscriptions to a user's live count and to a channel topic.
#include <string_view>

namespace sg::app {

std::string_view applicationSchemaSdl();

}  // namespace sg::app
