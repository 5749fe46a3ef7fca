#pragma once
// Mints and redeems one-time tickets (DESIGN §3): 32 random bytes as base64url (43
// characters), stored only as SHA-256(ticket) with the claims they are bound to. Both
// answer through a callback, as the store does.
#include "core/clock.hpp"
#include "tickets/ticket_store.hpp"

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace sg::tickets {

inline constexpr std::size_t kTicketChars = 43;

struct Minted {
  std::string ticket;
  std::chrono::seconds expires_in{0};
};

class TicketIssuer {
 public:
  // Errc::full or Errc::unavailable from the store.
  using MintDone = std::function<void(boost::system::result<Minted>)>;
  // The claims; Errc::not_found (unknown, used, malformed), Errc::expired, or the store's
  // Errc::unavailable.
  using RedeemDone = std::function<void(boost::system::result<TicketClaims>)>;

  TicketIssuer(TicketStore& store, const Clock& clock, std::chrono::seconds ttl);

  // Fills issued_at/expires_at; the other claims come from the caller.
  void mint(TicketClaims claims, MintDone done);
  // mint()'s answer on the spot, from a store that answers without waiting
  // (TicketStore::answersNow); nullopt from any other, and then `claims` are untouched.
  std::optional<boost::system::result<Minted>> mintNow(TicketClaims&& claims);
  // Whether mintNow() and redeemNow() answer (the store does, TicketStore::answersNow).
  bool answersNow() const { return store_.answersNow(); }
  // Consumes the ticket whatever the outcome: a ticket is presented once.
  void redeem(std::string_view ticket, RedeemDone done);
  // redeem()'s answer on the spot, from a store that answers without waiting
  // (TicketStore::answersNow); nullopt from any other, which then has not been asked.
  std::optional<boost::system::result<TicketClaims>> redeemNow(std::string_view ticket);

  static bool looksLikeTicket(std::string_view s);
  static TicketHash hash(std::string_view s);

 private:
  // What the store gave back, as redeem() answers it.
  boost::system::result<TicketClaims> judge(boost::system::result<std::optional<TicketClaims>>&& taken) const;

  TicketStore& store_;
  const Clock& clock_;
  std::chrono::seconds ttl_;
};

}  // namespace sg::tickets
