// TicketIssuer over the memory store and a ManualClock: the ticket's shape, its TTL, one
// redemption, the errors a caller tells apart (not_found, expired, full).
#include "tickets/ticket_issuer.hpp"

#include "core/errors.hpp"
#include "tickets/memory_ticket_store.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <vector>

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

TEST_F(TicketIssuerTest, TheMemoryStoreAnswersOnTheSpot) {
  ASSERT_TRUE(issuer.answersNow());
  TicketClaims claims;
  claims.user_id = "42";
  claims.origin = "https://app.example.com";
  auto minted = issuer.mintNow(std::move(claims));
  ASSERT_TRUE(minted);
  ASSERT_TRUE(*minted);
  auto redeemed = issuer.redeemNow((*minted)->ticket);
  ASSERT_TRUE(redeemed);
  ASSERT_TRUE(*redeemed);
  EXPECT_EQ((*redeemed)->user_id, "42");
  EXPECT_EQ((*redeemed)->origin, "https://app.example.com");
  EXPECT_EQ(issuer.redeemNow((*minted)->ticket)->error(), Errc::not_found);
  EXPECT_EQ(issuer.redeemNow("short")->error(), Errc::not_found);
}

// A store that answers only later (as one across the network does): the issuer's on-the-
// spot calls decline without touching it or the claims, and the callback forms still work.
class LaterStore final : public TicketStore {
 public:
  void put(const TicketHash& key, const TicketClaims& claims, PutDone done) override {
    waiting.push_back([this, key, claims, done = std::move(done)] { inner.put(key, claims, done); });
  }
  void take(const TicketHash& key, TakeDone done) override {
    waiting.push_back([this, key, done = std::move(done)] { inner.take(key, done); });
  }
  std::size_t size() const override { return inner.size(); }
  void answerAll() {
    auto now = std::move(waiting);
    waiting.clear();
    for (auto& f : now) f();
  }
  MemoryTicketStore inner{10};
  std::vector<std::function<void()>> waiting;
};

TEST_F(TicketIssuerTest, AStoreThatAnswersLaterIsAskedThroughItsCallbacks) {
  LaterStore later;
  TicketIssuer slow{later, clock, 10s};
  EXPECT_FALSE(slow.answersNow());
  TicketClaims claims;
  claims.user_id = "42";
  claims.origin = "https://app.example.com";
  EXPECT_FALSE(slow.mintNow(std::move(claims)));
  EXPECT_EQ(claims.user_id, "42");  // untouched
  EXPECT_EQ(claims.origin, "https://app.example.com");
  EXPECT_TRUE(later.waiting.empty());

  std::optional<boost::system::result<Minted>> minted;
  slow.mint(claims, [&](boost::system::result<Minted> r) { minted = std::move(r); });
  EXPECT_FALSE(minted);
  later.answerAll();
  ASSERT_TRUE(minted && *minted);

  EXPECT_FALSE(slow.redeemNow((*minted)->ticket));
  EXPECT_EQ(later.inner.size(), 1u);  // not consumed by the declined call
  std::optional<boost::system::result<TicketClaims>> redeemed;
  slow.redeem((*minted)->ticket, [&](boost::system::result<TicketClaims> r) { redeemed = std::move(r); });
  later.answerAll();
  ASSERT_TRUE(redeemed && *redeemed);
  EXPECT_EQ((*redeemed)->origin, "https://app.example.com");
  EXPECT_EQ(later.inner.size(), 0u);
}

}  // namespace
}  // namespace sg::tickets
