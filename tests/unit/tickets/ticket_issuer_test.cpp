// TicketIssuer over the memory store and a ManualClock: the ticket's shape, its TTL, one
// redemption, the errors a caller tells apart (not_found, expired, full).
#include "tickets/ticket_issuer.hpp"

#include "core/errors.hpp"
#include "tickets/memory_ticket_store.hpp"

#include <gtest/gtest.h>

#include <set>

namespace sg::tickets {
namespace {

using namespace std::chrono_literals;

class TicketIssuerTest : public ::testing::Test {
 protected:
  boost::system::result<Minted> mint(TicketClaims claims = {}) {
    if (claims.user_id.empty()) claims.user_id = "7";
    std::optional<boost::system::result<Minted>> out;
    issuer.mint(std::move(claims), [&](boost::system::result<Minted> r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(make_error_code(Errc::unavailable));
  }
  boost::system::result<TicketClaims> redeem(std::string_view ticket) {
    std::optional<boost::system::result<TicketClaims>> out;
    issuer.redeem(ticket, [&](boost::system::result<TicketClaims> r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(make_error_code(Errc::unavailable));
  }

  ManualClock clock{std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())};
  MemoryTicketStore store{3};
  TicketIssuer issuer{store, clock, 10s};
};

TEST_F(TicketIssuerTest, TicketsAre43Base64UrlCharactersAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    auto minted = mint();
    ASSERT_TRUE(minted);
    EXPECT_EQ(minted->ticket.size(), kTicketChars);
    EXPECT_TRUE(TicketIssuer::looksLikeTicket(minted->ticket)) << minted->ticket;
    EXPECT_EQ(minted->expires_in, 10s);
    seen.insert(minted->ticket);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST_F(TicketIssuerTest, LooksLikeTicketIsStrict) {
  EXPECT_TRUE(TicketIssuer::looksLikeTicket(std::string(43, 'a')));
  EXPECT_TRUE(TicketIssuer::looksLikeTicket(std::string(42, '-') + "_"));
  EXPECT_FALSE(TicketIssuer::looksLikeTicket(std::string(42, 'a')));
  EXPECT_FALSE(TicketIssuer::looksLikeTicket(std::string(44, 'a')));
  EXPECT_FALSE(TicketIssuer::looksLikeTicket(std::string(42, 'a') + "="));
  EXPECT_FALSE(TicketIssuer::looksLikeTicket(std::string(42, 'a') + "+"));
  EXPECT_FALSE(TicketIssuer::looksLikeTicket("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2ln"));
}

TEST_F(TicketIssuerTest, RedeemsOnceWithTheClaimsAndTheMintTime) {
  TicketClaims claims;
  claims.user_id = "42";
  claims.client_ip = "10.0.0.1";
  auto minted = mint(claims);
  ASSERT_TRUE(minted);
  auto at = clock.now();
  clock.advance(10s);  // the last moment it is good
  auto redeemed = redeem(minted->ticket);
  ASSERT_TRUE(redeemed);
  EXPECT_EQ(redeemed->user_id, "42");
  EXPECT_EQ(redeemed->client_ip, "10.0.0.1");
  EXPECT_EQ(redeemed->issued_at, at);
  EXPECT_EQ(redeemed->expires_at, at + 10s);
  ASSERT_FALSE(redeem(minted->ticket));
  EXPECT_EQ(redeem(minted->ticket).error(), Errc::not_found);
}

TEST_F(TicketIssuerTest, PastItsTtlIsExpiredAndSpent) {
  auto minted = mint();
  ASSERT_TRUE(minted);
  clock.advance(10s + 1ms);
  auto late = redeem(minted->ticket);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), Errc::expired);
  EXPECT_EQ(redeem(minted->ticket).error(), Errc::not_found);
}

TEST_F(TicketIssuerTest, UnknownAndMalformedAreNotFound) {
  auto minted = mint();
  ASSERT_TRUE(minted);
  EXPECT_EQ(redeem(std::string(kTicketChars, 'A')).error(), Errc::not_found);
  EXPECT_EQ(redeem("short").error(), Errc::not_found);
  EXPECT_EQ(store.size(), 1u);  // neither touched the real one
}

TEST_F(TicketIssuerTest, AFullStoreIsFullNotAVerdict) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(mint());
  auto over = mint();
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error(), Errc::full);
  EXPECT_TRUE(isTransient(over.error()));
}

}  // namespace
}  // namespace sg::tickets
