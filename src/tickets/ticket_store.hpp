#pragma once
// Where one-time tickets live between minting and use. Keys are SHA-256 digests of the
// ticket (the ticket itself is never stored). take() is atomic: of any number of
// concurrent presentations of one ticket, exactly one gets the claims. Calls answer
// through a callback, inline or later from another thread, so that a store across the
// network (Redis: SET NX PX / GETDEL) fits the same interface as the memory store.
#include <boost/system/result.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
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

class TicketStore {
 public:
  // Errc::full when the store holds its maximum, Errc::unavailable when it cannot answer.
  using PutDone = std::function<void(boost::system::result<void>)>;
  // The claims, or nullopt when no such ticket is stored (unknown or already taken).
  using TakeDone = std::function<void(boost::system::result<std::optional<TicketClaims>>)>;

  virtual ~TicketStore() = default;
  // Stores claims until claims.expires_at (plus the store's grace for late presentations).
  virtual void put(const TicketHash& key, const TicketClaims& claims, PutDone done) = 0;
  // Removes and returns the claims, expired or not (the caller judges expiry, so that an
  // expired ticket is told apart from an unknown one). Atomic.
  virtual void take(const TicketHash& key, TakeDone done) = 0;
  // Live tickets held, for /metrics.
  virtual std::size_t size() const = 0;

  // put() and take() answered on the spot, by a store that never waits (one in this
  // process's memory): the caller then builds no callback, an allocation per ticket each.
  // nullopt: this store answers only through put()/take(), and nothing was done (putNow
  // leaves `claims` as it was).
  virtual std::optional<boost::system::result<void>> putNow(const TicketHash& /*key*/, TicketClaims&& /*claims*/) {
    return std::nullopt;
  }
  virtual std::optional<boost::system::result<std::optional<TicketClaims>>> takeNow(const TicketHash& /*key*/) {
    return std::nullopt;
  }
  // Whether putNow() and takeNow() always answer: a caller can then skip the work it
  // would otherwise do twice (hashing the ticket for take() as well).
  virtual bool answersNow() const { return false; }
};

}  // namespace sg::tickets
