#pragma once
// Mints and redeems one-time tickets (DESIGN §3): 32 random bytes as base64url (43
// characters), stored only as SHA-256(ticket) with the claims they are bound to.
#include "core/clock.hpp"
#include "tickets/ticket_store.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sg::tickets {

inline constexpr std::size_t kTicketChars = 43;

struct Minted {
  std::string ticket;  // empty when the store is full
  std::chrono::seconds expires_in{0};
};

enum class RedeemError : std::uint8_t { Unknown, Expired };

struct Redeemed {
  std::optional<TicketClaims> claims;
  RedeemError error = RedeemError::Unknown;
};

class TicketIssuer {
 public:
  TicketIssuer(TicketStore& store, const Clock& clock, std::chrono::seconds ttl);

  // Fills issued_at/expires_at; the other claims come from the caller.
  Minted mint(TicketClaims claims);
  // Consumes the ticket whatever the outcome: a ticket is presented once.
  Redeemed redeem(std::string_view ticket);
  // A JWT `jti` (or any one-time token id) seen for the first time until `expires_at`;
  // false when it was seen before.
  bool firstUse(std::string_view token_id, TimePoint expires_at);

  static bool looksLikeTicket(std::string_view s);
  static TicketHash hash(std::string_view s);
  TicketStore& store() { return store_; }

 private:
  TicketStore& store_;
  const Clock& clock_;
  std::chrono::seconds ttl_;
};

}  // namespace sg::tickets
