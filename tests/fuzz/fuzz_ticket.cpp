// TicketIssuer::looksLikeTicket and redeem on any presented text, against a store holding
// one freshly minted ticket: only that exact ticket redeems, exactly once; anything that
// does not look like a ticket never reaches the store. firstUse() of any token id answers
// true once, then false.
#include "fuzz_support.hpp"

#include "tickets/memory_ticket_store.hpp"
#include "tickets/ticket_issuer.hpp"

#include <sodium.h>

#include <chrono>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  FUZZ_CHECK(sodium_init() >= 0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sg;
  std::string_view presented = fuzz::view(data, size);

  ManualClock clock;
  tickets::MemoryTicketStore store(16);
  tickets::TicketIssuer issuer(store, clock, std::chrono::seconds(10));
  tickets::TicketClaims claims;
  claims.user_id = "42";
  auto minted = issuer.mint(claims);
  FUZZ_CHECK(tickets::TicketIssuer::looksLikeTicket(minted.ticket));
  FUZZ_CHECK(store.size() == 1);

  bool looks = tickets::TicketIssuer::looksLikeTicket(presented);
  FUZZ_CHECK(!looks || presented.size() == tickets::kTicketChars);
  auto redeemed = issuer.redeem(presented);
  if (presented == minted.ticket) {
    FUZZ_CHECK(redeemed.claims && redeemed.claims->user_id == "42");
  } else {
    FUZZ_CHECK(!redeemed.claims && redeemed.error == tickets::RedeemError::Unknown);
    // An unknown presentation leaves the minted ticket where it was.
    FUZZ_CHECK(store.size() == 1);
    FUZZ_CHECK(issuer.redeem(minted.ticket).claims.has_value());
  }
  FUZZ_CHECK(!issuer.redeem(minted.ticket).claims);  // used once: gone
  FUZZ_CHECK(store.size() == 0);

  auto until = clock.now() + std::chrono::seconds(60);
  FUZZ_CHECK(issuer.firstUse(presented, until));
  FUZZ_CHECK(!issuer.firstUse(presented, until));
  return 0;
}
