#pragma once
// Builds the Config from its three sources, each overriding the one before: the TOML
// file, then SOCKGUARD_* environment variables, then command-line flags. Unknown keys
// in the file, unknown flags and bad values are errors that name the key and where it
// came from. An unknown SOCKGUARD_* variable is only a warning: platforms set such
// variables for their own purposes (a container's SOCKGUARD_VERSION).
#include "core/config.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sg::cli {

struct ConfigSources {
  std::optional<std::string> file;                           // path of the TOML file
  std::vector<std::pair<std::string, std::string>> env;      // every SOCKGUARD_* variable
  std::vector<std::pair<std::string, std::string>> flags;    // key name -> value text
};

struct LoadedConfig {
  Config config;
  std::string error;                  // empty on success
  std::vector<std::string> warnings;  // for stderr; they name variables, never their values
};

LoadedConfig loadConfig(const ConfigSources& sources);

// Cross-key checks once everything is set (e.g. asymmetric JWT needs a public key).
std::string validateConfig(const Config& config);
// The cluster's own rules (part of validateConfig): a Redis URL this build can use, and a
// configured JWT secret or key (nodes must agree on it). Empty when fine.
std::string validateClusterConfig(const Config& config);

// The SOCKGUARD_* variables of this process.
std::vector<std::pair<std::string, std::string>> sockguardEnvironment();

}  // namespace sg::cli
