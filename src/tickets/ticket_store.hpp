#pragma once
// Where one-time tickets live between minting and use. Keys are SHA-256 digests of the
// ticket (the ticket itself is never stored). take() is atomic: of any number of
// concurrent presentations of one ticket, exactly one gets the claims. The memory store
// is the embedded default; a Redis store (GETDEL) can replace it without changing callers.
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace sg::tickets {

using TicketHash = std::array<unsigned char, 32>;
using TimePoint = std::chrono::system_clock::time_point;

struct TicketClaims {
  std::string user_id;
  std::string session_id;  // session reference (hash), empty for JWT/API-key tickets
  std::string client_ip;   // bound client IP; empty = not bound
  std::string origin;      // Origin of the minting request; empty = not bound
  TimePoint issued_at;
  TimePoint expires_at;
  // When the credential the ticket was traded for stops being valid (session or JWT
  // expiry); the socket it opens lives no longer. nullopt = no limit.
  std::optional<TimePoint> credential_expires_at;
};

enum class PutResult : std::uint8_t { Stored, Full, Exists };

class TicketStore {
 public:
  virtual ~TicketStore() = default;
  // Stores claims until claims.expires_at. Full when the store holds its maximum.
  virtual PutResult put(const TicketHash& key, const TicketClaims& claims) = 0;
  // Removes and returns the claims, expired or not (the caller judges expiry, so that an
  // expired ticket is told apart from an unknown one). Atomic.
  virtual std::optional<TicketClaims> take(const TicketHash& key) = 0;
  // Drops entries expired before `now`; returns how many.
  virtual std::size_t sweep(TimePoint now) = 0;
  virtual std::size_t size() const = 0;
};

}  // namespace sg::tickets
