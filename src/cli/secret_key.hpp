#pragma once
// The server's own secret (HS* JWT signing and verification when auth.jwt_secret is not
// configured): <data_dir>/secret_key, 32 random bytes as 64 hex characters, created once
// with mode 0600 and reused across restarts.
#include <optional>
#include <string>

namespace sg::cli {

std::optional<std::string> loadOrCreateSecretKey(const std::string& data_dir, std::string* error);

}  // namespace sg::cli
