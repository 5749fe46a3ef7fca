// sockguard's entry point: the command line. Each subcommand lives in its own file.
#include "cli/commands.hpp"
#include "cli/config_keys.hpp"
#include "cli/config_loader.hpp"

#include <CLI/CLI.hpp>
#include <sodium.h>

#include <iostream>
#include <map>

namespace {

constexpr const char* kVersion = "0.1.0";

// Every config key becomes a flag of `cmd`, grouped by section, with its default shown.
void addConfigFlags(CLI::App& cmd, std::map<std::string, std::string>& values) {
  const sg::Config defaults;
  for (const auto& key : sg::cli::configKeys()) {
    cmd.add_option(key.flagName(), values[key.name], key.help + " [env " + key.envName() + "]")
        ->default_str(key.show(defaults))
        ->group(key.name.substr(0, key.name.find('.')));
  }
}

sg::cli::LoadedConfig load(CLI::App& cmd, const std::string& file, std::map<std::string, std::string>& values) {
  sg::cli::ConfigSources sources;
  if (!file.empty()) sources.file = file;
  sources.env = sg::cli::sockguardEnvironment();
  for (const auto& key : sg::cli::configKeys()) {
    if (cmd.count(key.flagName()) > 0) sources.flags.emplace_back(key.name, values[key.name]);
  }
  return sg::cli::loadConfig(sources);
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) {
    std::cerr << "sockguard: libsodium failed to initialise\n";
    return 1;
  }
  CLI::App cli{"sockguard: a Phoenix Channels WebSocket server that gets authentication right"};
  cli.require_subcommand(1);

  auto* serve = cli.add_subcommand("serve", "run the server");
  std::string serve_file;
  std::map<std::string, std::string> serve_values;
  serve->add_option("--config", serve_file, "TOML configuration file")->check(CLI::ExistingFile);
  addConfigFlags(*serve, serve_values);

  auto* token = cli.add_subcommand("token", "print a JWT signed with the configured key (for operators and tests)");
  std::string token_file, user_id;
  int ttl_s = 3600;
  std::map<std::string, std::string> token_values;
  token->add_option("--user-id", user_id, "the token's subject")->required();
  token->add_option("--ttl", ttl_s, "lifetime in seconds")->check(CLI::Range(1, 365 * 86400))->capture_default_str();
  token->add_option("--config", token_file, "TOML configuration file")->check(CLI::ExistingFile);
  addConfigFlags(*token, token_values);

  auto* version = cli.add_subcommand("version", "print the version");

  CLI11_PARSE(cli, argc, argv);

  if (version->parsed()) {
    std::cout << "sockguard " << kVersion << "\n";
    return 0;
  }
  CLI::App& cmd = serve->parsed() ? *serve : *token;
  auto loaded = serve->parsed() ? load(cmd, serve_file, serve_values) : load(cmd, token_file, token_values);
  for (const auto& warning : loaded.warnings) std::cerr << "sockguard: warning: " << warning << "\n";
  if (!loaded.error.empty()) {
    std::cerr << "sockguard: " << loaded.error << "\n";
    return 2;
  }
  if (serve->parsed()) return sg::cli::runServe(loaded.config);
  return sg::cli::runToken(loaded.config, user_id, ttl_s);
}
