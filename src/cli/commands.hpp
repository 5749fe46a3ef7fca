#pragma once
// The subcommands of the sockguard binary, each given a loaded configuration.
#include "core/config.hpp"

#include <string>

namespace sg::cli {

// `sockguard serve`: wires the modules and runs until SIGINT/SIGTERM. Returns the exit code.
int runServe(const Config& config);
// `sockguard token --user-id ID [--ttl S]`: prints a JWT signed with the configured key.
int runToken(const Config& config, const std::string& user_id, int ttl_s);

}  // namespace sg::cli
