#pragma once
// Logging set-up. Code logs through spdlog (spdlog::info(...)); what it logs about a
// request comes from the request's redacted view (http/request.hpp), never raw input.
#include <string>
#include <string_view>

namespace sg::obs {

// level: trace|debug|info|warn|error|off; format: text|json. Returns an error message,
// empty on success.
std::string initLogging(std::string_view level, std::string_view format);

// Appends `s` escaped for use inside a JSON string literal (no quotes added).
void appendJsonEscaped(std::string& out, std::string_view s);

}  // namespace sg::obs
