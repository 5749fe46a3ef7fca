#pragma once
// Password hashing with argon2id (libsodium crypto_pwhash_str, "interactive" limits:
// about 64 MiB and a few tens of milliseconds per hash). Slow on purpose: run on a
// WorkPool, never on a shard.
#include <string>
#include <string_view>

namespace sg::auth {

inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Empty on failure (out of memory).
std::string hashPassword(std::string_view password);
bool verifyPassword(std::string_view password, const std::string& hash);
// A valid hash of a random password: verifying against it costs what a real check costs,
// so an unknown e-mail takes as long to refuse as a wrong password.
const std::string& decoyPasswordHash();

// Equality of two secrets (CSRF tokens, MACs) in time that depends only on their
// lengths, so a mismatch does not tell how many leading bytes were right.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace sg::auth
