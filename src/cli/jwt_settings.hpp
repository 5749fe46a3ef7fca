#pragma once
// JwtSettings from the configuration: the secret (configured, or the generated secret key)
// or the PEM key file for asymmetric algorithms.
#include "auth/jwt.hpp"
#include "core/config.hpp"

#include <optional>
#include <string>

namespace sg::cli {

// `for_signing`: read the private key file instead of the public one.
std::optional<auth::JwtSettings> jwtSettings(const Config& config, bool for_signing, std::string* error);

}  // namespace sg::cli
