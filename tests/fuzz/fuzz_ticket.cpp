// TicketIssuer::looksLikeTicket and redeem on any presented text, against a store holding
// one freshly minted ticket: only that exact ticket redeems, exactly once; anything that
// does not look like a ticket never reaches the store. markFirstUse() of any token id answers
// true once, then false.
#include "fuzz_support.hpp"

#include "core/errors.hpp"
#include "tickets/memory_one_time_markers.hpp"
#include "tickets/memory_ticket_store.hpp"
#include "tickets/ticket_issuer.hpp"

#include <sodium.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  FUZZ_CHECK(sodium_init() >= 0);
  return 0;
}

// The memory stores answer inline: each call's result is there when it returns.
template <class T>
T now(const std::function<void(std::function<void(T)>)>& call) {
  std::optional<T> out;
  call([&](T r) { out.emplace(std::move(r)); });
  FUZZ_CHECK(out.has_value());
  return std::move(*out);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sg;
  using Redeemed = boost::system::result<tickets::TicketClaims>;
  std::string_view presented = fuzz::view(data, size);

  ManualClock clock;
  tickets::MemoryTicketStore store(16);
  tickets::TicketIssuer issuer(store, clock, std::chrono::seconds(10));
  tickets::TicketClaims claims;
  claims.user_id = "42";
  auto minted = now<boost::system::result<tickets::Minted>>([&](auto done) { issuer.mint(claims, done); });
  FUZZ_CHECK(minted.has_value());
  FUZZ_CHECK(tickets::TicketIssuer::looksLikeTicket(minted->ticket));
  FUZZ_CHECK(store.size() == 1);
  auto redeem = [&](std::string_view ticket) {
    return now<Redeemed>([&](auto done) { issuer.redeem(ticket, done); });
  };

  bool looks = tickets::TicketIssuer::looksLikeTicket(presented);
  FUZZ_CHECK(!looks || presented.size() == tickets::kTicketChars);
  auto redeemed = redeem(presented);
  if (presented == minted->ticket) {
    FUZZ_CHECK(redeemed && redeemed->user_id == "42");
  } else {
    FUZZ_CHECK(!redeemed && redeemed.error() == Errc::not_found);
    // An unknown presentation leaves the minted ticket where it was.
    FUZZ_CHECK(store.size() == 1);
    FUZZ_CHECK(redeem(minted->ticket).has_value());
  }
  FUZZ_CHECK(!redeem(minted->ticket));  // used once: gone
  FUZZ_CHECK(store.size() == 0);

  // One-time token ids live in their own store: the first use marks, the second is refused.
  tickets::MemoryOneTimeMarkers markers(16);
  auto until = clock.now() + std::chrono::seconds(60);
  using Marked = boost::system::result<bool>;
  FUZZ_CHECK(now<Marked>([&](auto done) { markers.markFirstUse(presented, until, done); }).value());
  FUZZ_CHECK(!now<Marked>([&](auto done) { markers.markFirstUse(presented, until, done); }).value());
  return 0;
}
