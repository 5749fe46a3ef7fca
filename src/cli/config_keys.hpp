#pragma once
// The table of every configuration key: its name (`section.key`), help text, how to set
// it from text (TOML values, SOCKGUARD_* variables and flags all arrive as text), and its
// current value for `serve --help`. Validation (ranges, choices) happens in the setter,
// so a bad value fails at start with a message that names the key.
#include "core/config.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sg::cli {

struct ConfigKey {
  std::string name;  // "server.listen"
  std::string help;
  bool is_list = false;  // comma-separated in the environment and flags, an array in TOML
  // Returns an error message (without the key name), empty when the value was taken.
  std::function<std::string(Config&, std::string_view text)> set;
  std::function<std::string(const Config&)> show;

  std::string flagName() const;  // "--listen" for server.*, else "--section-key"
  std::string envName() const;   // "SOCKGUARD_SECTION_KEY"
};

const std::vector<ConfigKey>& configKeys();
const ConfigKey* findConfigKey(std::string_view name);

}  // namespace sg::cli
