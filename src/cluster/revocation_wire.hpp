#pragma once
// The control channel every node of a cluster subscribes to for good, and the revocation
// announcements on it: kind ('s' a session, 'u' every socket of a user), u32 big-endian
// length of the user id, the user id, then the session reference (the rest; empty for 'u').
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg::cluster {

inline constexpr std::string_view kControlChannel = "sg:control";
// The same announcements kept for a while, for nodes that missed them (a Redis stream).
inline constexpr std::string_view kRevocationLog = "sg:revocations";
inline constexpr std::int64_t kReplayMarginMs = 5000;

struct RevocationAnnouncement {
  std::string user_id;
  std::string session_ref;  // empty: every socket of the user
};

std::string encodeRevocation(const RevocationAnnouncement& a);
// nullopt for anything malformed (no user, a session kind without a session...).
std::optional<RevocationAnnouncement> decodeRevocation(std::string_view message);

}  // namespace sg::cluster
