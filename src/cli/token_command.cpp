#include "cli/commands.hpp"
#include "cli/jwt_settings.hpp"

#include <filesystem>
#include <iostream>

namespace sg::cli {

int runToken(const Config& config, const std::string& user_id, int ttl_s) {
  std::error_code ec;
  std::filesystem::create_directories(config.server.data_dir, ec);
  std::string error;
  auto settings = jwtSettings(config, /*for_signing=*/true, &error);
  if (!settings) {
    std::cerr << "sockguard: " << error << "\n";
    return 2;
  }
  auto signer = auth::JwtSigner::create(*settings, &error);
  if (!signer) {
    std::cerr << "sockguard: auth.jwt_alg: " << error << "\n";
    return 2;
  }
  std::cout << auth::signUserToken(*signer, *settings, user_id, std::chrono::seconds(ttl_s),
                                   std::chrono::system_clock::now())
            << "\n";
  return 0;
}

}  // namespace sg::cli
