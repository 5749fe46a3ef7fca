#pragma once
// Logging set-up. Code logs through spdlog (spdlog::info(...)); what it logs about a
// request comes from the request's redacted view (http/request.hpp), never raw input.
#include <string>
#include <string_view>

namespace sg::obs {

// level: trace|debug|info|warn|error|off; format: text|json. Lines below warn are
// buffered and written once a second (and at exit); warnings and errors at once. Returns
// an error message, empty on success.
std::string initLogging(std::string_view level, std::string_view format);
// A cluster node's name on every line from now on (text: "[name]" before the message;
// json: a "node" field). Call once, before the server's threads start.
void setLogNode(std::string_view node);


}  // namespace sg::obs
