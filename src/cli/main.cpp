// sockguard's entry point: parses the command line, loads the configuration, wires the
// modules together and runs the server. The only code here is wiring.
#include "app/builtin_channels.hpp"
#include "app/ops_routes.hpp"
#include "app/server_api.hpp"
#include "app/static_site.hpp"
#include "auth/api_keys.hpp"
#include "auth/connect_authenticator.hpp"
#include "channels/channel_registry.hpp"
#include "cli/config_keys.hpp"
#include "cli/config_loader.hpp"
#include "http/router.hpp"
#include "net/server.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"
#include "obs/redact.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>
#include <map>

namespace {

constexpr const char* kVersion = "0.1.0";

int serve(const sg::Config& config) {
  if (auto err = sg::obs::initLogging(config.log.level, config.log.format); !err.empty()) {
    std::cerr << "sockguard: " << err << "\n";
    return 2;
  }
  std::error_code fs_ec;
  std::filesystem::create_directories(config.server.data_dir, fs_ec);
  if (fs_ec) {
    std::cerr << "sockguard: server.data_dir: cannot create " << config.server.data_dir << ": " << fs_ec.message() << "\n";
    return 2;
  }

  sg::obs::Metrics metrics;
  sg::obs::Redactor redactor(config.auth.redact_params);
  sg::channels::ChannelRegistry channels;
  if (auto err = sg::app::registerBuiltinChannels(channels, config.channels); !err.empty()) {
    std::cerr << "sockguard: " << err << "\n";
    return 2;
  }
  sg::auth::ApiKeys api_keys(config.server.api_keys);
  sg::auth::AnonymousAuthenticator authenticator(config.auth.allow_anonymous);
  sg::http::Router router;
  sg::net::Server server({config, router, channels, authenticator, metrics, redactor});

  sg::app::addOpsRoutes(router, metrics);
  sg::app::addServerApiRoutes(router, api_keys, server.pubsub(), metrics);
  sg::app::addStaticRoutes(router);

  std::uint16_t port = 0;
  try {
    port = server.bind();
  } catch (const std::exception& e) {
    std::cerr << "sockguard: " << e.what() << "\n";
    return 2;
  }
  std::string host = config.server.listen.substr(0, config.server.listen.rfind(':'));
  std::cout << fmt::format(
                   "sockguard {} listening on http://{}:{}\n"
                   "  web page:   http://{}:{}/\n"
                   "  socket:     ws://{}:{}/socket/websocket (Phoenix Channels, vsn 1.0.0 and 2.0.0)\n"
                   "  data:       {}\n"
                   "  shards:     {}\n"
                   "  anonymous:  {}\n"
                   "  origins:    {}\n"
                   "  server API: {}\n",
                   kVersion, host, port, host, port, host, port,
                   std::filesystem::absolute(config.server.data_dir).string(), server.shardCount(),
                   config.auth.allow_anonymous ? "allowed (public topics only)" : "refused",
                   config.auth.allowed_origins.empty() ? std::string("(none configured)")
                                                       : fmt::format("{}", fmt::join(config.auth.allowed_origins, ", ")),
                   api_keys.empty() ? "disabled (no server.api_keys)" : "enabled")
            << std::flush;
  server.run();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"sockguard: a Phoenix Channels WebSocket server that gets authentication right"};
  cli.require_subcommand(1);

  auto* serve_cmd = cli.add_subcommand("serve", "run the server");
  std::string config_file;
  serve_cmd->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
  std::map<std::string, std::string> flag_values;
  const sg::Config defaults;
  for (const auto& key : sg::cli::configKeys()) {
    serve_cmd->add_option(key.flagName(), flag_values[key.name], key.help + " [env " + key.envName() + "]")
        ->default_str(key.show(defaults))
        ->group(key.name.substr(0, key.name.find('.')));
  }

  auto* version_cmd = cli.add_subcommand("version", "print the version");

  CLI11_PARSE(cli, argc, argv);

  if (version_cmd->parsed()) {
    std::cout << "sockguard " << kVersion << "\n";
    return 0;
  }

  sg::cli::ConfigSources sources;
  if (!config_file.empty()) sources.file = config_file;
  sources.env = sg::cli::sockguardEnvironment();
  for (const auto& key : sg::cli::configKeys()) {
    if (serve_cmd->count(key.flagName()) > 0) sources.flags.emplace_back(key.name, flag_values[key.name]);
  }
  auto loaded = sg::cli::loadConfig(sources);
  if (!loaded.error.empty()) {
    std::cerr << "sockguard: " << loaded.error << "\n";
    return 2;
  }
  return serve(loaded.config);
}
