// MemoryTicketStore through its asynchronous interface: put and take, one take per
// ticket (also from many threads at once), the bound (Errc::full) and the sweep.
#include "tickets/memory_ticket_store.hpp"

#include "core/errors.hpp"
#include "tickets/ticket_issuer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sg::tickets {
namespace {

using namespace std::chrono_literals;
using std::chrono::system_clock;

TicketClaims claimsFor(std::string user, TimePoint expires_at) {
  TicketClaims c;
  c.user_id = std::move(user);
  c.session_id = "session-ref";
  c.client_ip = "10.0.0.1";
  c.origin = "https://app.example.com";
  c.issued_at = expires_at - 10s;
  c.expires_at = expires_at;
  return c;
}

// "stored" or the error's message.
std::string put(MemoryTicketStore& store, std::string_view ticket, const TicketClaims& claims) {
  std::optional<std::string> out;
  store.put(TicketIssuer::hash(ticket), claims,
            [&](boost::system::result<void> r) { out = r ? "stored" : r.error().message(); });
  EXPECT_TRUE(out.has_value()) << "put did not answer";
  return out.value_or("no answer");
}

std::optional<TicketClaims> take(MemoryTicketStore& store, std::string_view ticket) {
  std::optional<TicketClaims> out;
  bool answered = false;
  store.take(TicketIssuer::hash(ticket), [&](boost::system::result<std::optional<TicketClaims>> r) {
    answered = true;
    ASSERT_TRUE(r);
    out = std::move(*r);
  });
  EXPECT_TRUE(answered) << "take did not answer";
  return out;
}

const TimePoint kLater = system_clock::now() + 1h;

TEST(MemoryTicketStore, TakeReturnsTheClaimsOnce) {
  MemoryTicketStore store(10);
  ASSERT_EQ(put(store, "ticket-1", claimsFor("7", kLater)), "stored");
  EXPECT_EQ(store.size(), 1u);
  auto claims = take(store, "ticket-1");
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->user_id, "7");
  EXPECT_EQ(claims->session_id, "session-ref");
  EXPECT_EQ(claims->client_ip, "10.0.0.1");
  EXPECT_EQ(claims->origin, "https://app.example.com");
  EXPECT_EQ(claims->expires_at, kLater);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(take(store, "ticket-1").has_value());
}

TEST(MemoryTicketStore, UnknownTicketsAreNotFound) {
  MemoryTicketStore store(10);
  put(store, "ticket-1", claimsFor("7", kLater));
  EXPECT_FALSE(take(store, "ticket-2").has_value());
  EXPECT_EQ(store.size(), 1u);
}

TEST(MemoryTicketStore, ExpiredClaimsAreStillReturnedForTheCallerToJudge) {
  MemoryTicketStore store(10);
  auto past = system_clock::now() - 1s;
  put(store, "ticket-1", claimsFor("7", past));
  auto claims = take(store, "ticket-1");
  ASSERT_TRUE(claims.has_value());
  EXPECT_EQ(claims->expires_at, past);
}

TEST(MemoryTicketStore, FullIsAnError) {
  MemoryTicketStore store(2);
  EXPECT_EQ(put(store, "a", claimsFor("7", kLater)), "stored");
  EXPECT_EQ(put(store, "b", claimsFor("7", kLater)), "stored");
  EXPECT_EQ(put(store, "c", claimsFor("7", kLater)), make_error_code(Errc::full).message());
  EXPECT_EQ(store.size(), 2u);
  // Taking one makes room.
  ASSERT_TRUE(take(store, "a").has_value());
  EXPECT_EQ(put(store, "c", claimsFor("7", kLater)), "stored");
}

TEST(MemoryTicketStore, WhenFullExpiredTicketsMakeRoom) {
  MemoryTicketStore store(1);
  put(store, "old", claimsFor("7", system_clock::now() - 1s));
  EXPECT_EQ(put(store, "new", claimsFor("7", kLater)), "stored");
  EXPECT_EQ(store.size(), 1u);
  EXPECT_FALSE(take(store, "old").has_value());
}

TEST(MemoryTicketStore, PuttingAKeyAgainReplacesItWithoutCountingTwice) {
  MemoryTicketStore store(10);
  put(store, "a", claimsFor("7", kLater));
  put(store, "a", claimsFor("8", kLater));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(take(store, "a")->user_id, "8");
}

TEST(MemoryTicketStore, SweepDropsWhatExpiredBeforeNow) {
  MemoryTicketStore store(100);
  TimePoint t0{std::chrono::seconds(1'700'000'000)};
  for (int i = 0; i < 20; ++i) put(store, "short-" + std::to_string(i), claimsFor("7", t0 + 10s));
  put(store, "long", claimsFor("7", t0 + 1h));
  EXPECT_EQ(store.sweep(t0 + 10s), 0u);
  EXPECT_EQ(store.sweep(t0 + 11s), 20u);
  EXPECT_EQ(store.size(), 1u);
  EXPECT_TRUE(take(store, "long").has_value());
}

// Tickets whose keys fall in one shard (the first byte of the hash picks it), so that a
// taken ticket's node is there for the next.
std::vector<std::string> ticketsOfOneShard(std::size_t n) {
  std::vector<std::string> out;
  const auto shard = TicketIssuer::hash("t-0")[0] % 16;
  for (int i = 0; out.size() < n; ++i) {
    std::string t = "t-" + std::to_string(i);
    if (TicketIssuer::hash(t)[0] % 16 == shard) out.push_back(t);
  }
  return out;
}

// A taken ticket's node stores the next ticket: its claims are the new ones, nothing of
// the old ticket answers, and putting a key again over a kept node still replaces it once.
TEST(MemoryTicketStore, ANodeOfATakenTicketHoldsOnlyTheNextTicketsClaims) {
  MemoryTicketStore store(100);
  auto names = ticketsOfOneShard(4);
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(put(store, names[0], claimsFor("old", kLater)), "stored");
    ASSERT_EQ(put(store, names[1], claimsFor("first", kLater)), "stored");
    ASSERT_TRUE(take(store, names[0]).has_value());  // its node is kept
    ASSERT_EQ(put(store, names[1], claimsFor("second", kLater)), "stored");  // over a kept node
    EXPECT_EQ(store.size(), 1u);
    ASSERT_EQ(put(store, names[2], TicketClaims{}), "stored");  // empty claims in a reused node
    auto empty = take(store, names[2]);
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(empty->user_id, "");
    EXPECT_EQ(empty->origin, "");
    EXPECT_FALSE(take(store, names[0]).has_value()) << "taken once";
    auto second = take(store, names[1]);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->user_id, "second");
    EXPECT_EQ(second->client_ip, "10.0.0.1");
    EXPECT_EQ(store.size(), 0u);
  }
  // More takes than nodes kept: the rest are freed, and every ticket still answers once.
  std::vector<std::string> many = ticketsOfOneShard(40);
  for (const auto& t : many) put(store, t, claimsFor(t, kLater));
  for (const auto& t : many) EXPECT_EQ(take(store, t).value_or(TicketClaims{}).user_id, t);
  for (const auto& t : many) put(store, t, claimsFor(t + "!", kLater));
  for (const auto& t : many) EXPECT_EQ(take(store, t).value_or(TicketClaims{}).user_id, t + "!");
  EXPECT_EQ(store.size(), 0u);
}

TEST(MemoryTicketStore, OfConcurrentTakesExactlyOneWins) {
  MemoryTicketStore store(10);
  put(store, "contested", claimsFor("7", kLater));
  std::atomic<int> winners{0}, answers{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      store.take(TicketIssuer::hash("contested"), [&](boost::system::result<std::optional<TicketClaims>> r) {
        ++answers;
        if (r && *r) ++winners;
      });
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(answers.load(), 8);
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(store.size(), 0u);
}

}  // namespace
}  // namespace sg::tickets
