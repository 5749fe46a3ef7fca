#include "cli/jwt_settings.hpp"

#include "cli/secret_key.hpp"

#include <fstream>
#include <sstream>

namespace sg::cli {

std::optional<auth::JwtSettings> jwtSettings(const Config& config, bool for_signing, std::string* error) {
  const auto& a = config.auth;
  auth::JwtSettings s;
  s.alg = a.jwt_alg;
  s.audience = a.jwt_audience;
  s.issuer = a.jwt_issuer;
  s.leeway_s = a.jwt_leeway_s;
  s.max_age_s = a.jwt_max_age_s;
  if (a.jwt_alg.starts_with("HS")) {
    if (!a.jwt_secret.empty()) {
      s.secret = a.jwt_secret;
    } else {
      auto key = loadOrCreateSecretKey(config.server.data_dir, error);
      if (!key) return std::nullopt;
      s.secret = *key;
    }
    return s;
  }
  const std::string& file = for_signing ? a.jwt_private_key_file : a.jwt_public_key_file;
  const char* name = for_signing ? "auth.jwt_private_key_file" : "auth.jwt_public_key_file";
  if (file.empty()) {
    *error = std::string(name) + ": required for " + a.jwt_alg;
    return std::nullopt;
  }
  std::ifstream in(file);
  if (!in) {
    *error = std::string(name) + ": cannot read " + file;
    return std::nullopt;
  }
  std::ostringstream pem;
  pem << in.rdbuf();
  s.key_pem = pem.str();
  return s;
}

}  // namespace sg::cli
