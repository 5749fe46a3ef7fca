// ConnectionAuth over a real TokenVerifier (memory stores, HS256, ManualClock) and a real
// Admission lease: first-message authentication, refresh, the revocation check at
// registration, deadlines, and verdicts that arrive after the connection has gone.
#include "auth/connection_auth.hpp"

#include "auth/credential_fixture.hpp"
#include "core/config.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <thread>

namespace sg::auth {
namespace {

using namespace std::chrono_literals;
using test::CredentialWorld;
using test::outcome;

const Presentation kFrom{"10.0.0.1", ""};

// A ticket store whose answers to take() wait until the test releases them, as a store
// across the network answers later from another thread.
class DeferredTicketStore final : public tickets::TicketStore {
 public:
  void put(const tickets::TicketHash& key, const tickets::TicketClaims& claims, PutDone done) override {
    inner_.put(key, claims, std::move(done));
  }
  void take(const tickets::TicketHash& key, TakeDone done) override {
    waiting_.push_back([this, key, done = std::move(done)] { inner_.take(key, done); });
  }
  std::size_t size() const override { return inner_.size(); }

  std::size_t waiting() const { return waiting_.size(); }
  void answerAll() {
    auto answers = std::move(waiting_);
    waiting_.clear();
    for (auto& a : answers) a();
  }

 private:
  tickets::MemoryTicketStore inner_{100};
  std::deque<std::function<void()>> waiting_;
};

// The connection's Post: runs the task inline while the connection lives, drops it after.
struct Liveness {
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  int dropped = 0;
  ConnectionAuth::Post post() {
    return [this, weak = std::weak_ptr<bool>(alive)](std::function<void()> task) {
      if (weak.lock()) return task();
      ++dropped;
    };
  }
};

// Revocation records that answer later, when released (as Redis answers from its own
// thread): the verdicts are the in-memory records'.
class LaterRevocations final : public Revocations {
 public:
  explicit LaterRevocations(const Revocations& records) : records_(records) {}
  void revokeSession(const std::string&, const std::string&, TimePoint) override {}
  void revokeUser(const std::string&, TimePoint, std::chrono::seconds) override {}
  void check(const Identity& who, CheckDone done) const override {
    std::lock_guard lock(mutex_);
    waiting_.push_back([this, who, done = std::move(done)] { records_.check(who, done); });
  }
  void setOnRevoked(OnRevoked) override {}
  void release() {
    std::deque<std::function<void()>> now;
    {
      std::lock_guard lock(mutex_);
      now.swap(waiting_);
    }
    for (auto& answer : now) answer();
  }

 private:
  const Revocations& records_;
  mutable std::mutex mutex_;
  mutable std::deque<std::function<void()>> waiting_;
};

class ConnectionAuthTest : public ::testing::Test {
 protected:
  ConnectionAuthTest() {
    limits.pending_auth_per_ip = 1;
    limits.sockets_per_user = 1;
  }

  std::shared_ptr<Admission::Lease> lease() {
    auto admitted = admission.admit(std::string(kFrom.client_ip));
    EXPECT_TRUE(admitted);
    return admitted ? std::move(*admitted) : nullptr;
  }

  // A bare connection that must authenticate by message, its lease counted as pending.
  std::unique_ptr<ConnectionAuth> bare(std::shared_ptr<Admission::Lease> l = nullptr) {
    if (!l) l = lease();
    EXPECT_TRUE(l->enterPending());
    return std::make_unique<ConnectionAuth>(deps(), Admitted{Identity{}, true}, std::move(l), kFrom, "localhost", false, connected_at);
  }

  // A connection admitted at the handshake as `who`.
  std::unique_ptr<ConnectionAuth> admittedAs(Identity who) {
    return std::make_unique<ConnectionAuth>(deps(), Admitted{std::move(who), false}, lease(), kFrom, "localhost", false, connected_at);
  }

  Identity jwtIdentity(std::string user, std::chrono::seconds ttl) {
    Identity who;
    who.user_id = std::move(user);
    who.kind = CredentialKind::Jwt;
    who.issued_at = w.clock.now();
    who.expires_at = w.clock.now() + ttl;
    return who;
  }

  const ConnectionAuth::Deps& deps() { return deps_; }

  std::string authenticate(ConnectionAuth& auth, std::string_view token) {
    std::optional<Verdict<const Identity*>> out;
    auth.authenticate(token, live.post(), [&](Verdict<const Identity*> v) { out = std::move(v); });
    EXPECT_TRUE(out.has_value()) << "authenticate did not answer";
    return out ? outcome(*out) : "no answer";
  }

  // The new expiry in seconds from now ("never" without one), or the refusal's name.
  std::string refresh(ConnectionAuth& auth, std::string_view token) {
    std::optional<boost::system::result<std::optional<ConnectionAuth::SystemTime>, std::string_view>> out;
    auth.refresh(token, live.post(), [&](auto r) { out = std::move(r); });
    if (!out) return "no answer";
    if (!*out) return std::string(out->error());
    if (!**out) return "never";
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(***out - w.clock.now()).count()) + "s";
  }

  std::string confirm(ConnectionAuth& auth) {
    std::optional<Verdict<void>> out;
    auth.confirm(live.post(), [&](Verdict<void> v) { out = std::move(v); });
    return out ? outcome(*out) : "no answer";
  }

  CredentialWorld w;
  LimitsConfig limits;
  Admission admission{limits, w.clock};
  Liveness live;
  ConnectionAuth::Deps deps_{*w.tokens, w.clock, 5s};
  ConnectionAuth::SteadyTime connected_at = ConnectionAuth::SteadyTime{} + 1h;
};

// --- authenticate ----------------------------------------------------------------------

TEST_F(ConnectionAuthTest, ABareConnectionBecomesTheTokensUser) {
  auto auth = bare();
  EXPECT_TRUE(auth->pending());
  EXPECT_TRUE(auth->identity().anonymous());
  ASSERT_EQ(authenticate(*auth, w.jwtFor("42", 600s)), "accepted");
  EXPECT_FALSE(auth->pending());
  EXPECT_EQ(auth->identity().user_id, "42");
  EXPECT_EQ(auth->identity().kind, CredentialKind::Jwt);
  EXPECT_EQ(auth->identity().expires_at, w.clock.now() + 600s);
}

TEST_F(ConnectionAuthTest, AuthenticatingLeavesThePendingCountOfTheLease) {
  auto auth = bare();
  // pending_auth_per_ip = 1: a second bare socket from the address has to wait...
  auto other = lease();
  EXPECT_FALSE(other->enterPending());
  ASSERT_EQ(authenticate(*auth, w.jwtFor("42")), "accepted");
  // ...until the first one has authenticated.
  EXPECT_TRUE(other->enterPending());
}

TEST_F(ConnectionAuthTest, AuthenticatingCountsTheSocketAgainstItsUser) {
  auto first = bare();
  ASSERT_EQ(authenticate(*first, w.jwtFor("42")), "accepted");
  auto second = bare();
  // sockets_per_user = 1, and `first` still holds its place.
  EXPECT_EQ(authenticate(*second, w.jwtFor("42")), "rate_limited");
  EXPECT_TRUE(second->pending());
  EXPECT_TRUE(second->identity().anonymous());
}

TEST_F(ConnectionAuthTest, ARefusedTokenLeavesTheConnectionPending) {
  auto auth = bare();
  EXPECT_EQ(authenticate(*auth, "not-a-token"), "token_invalid");
  EXPECT_TRUE(auth->pending());
  EXPECT_TRUE(auth->identity().anonymous());
  auto spent = w.jwtFor("42", 600s, "jti-once");
  ASSERT_EQ(outcome(w.verify(spent)), "accepted");
  EXPECT_EQ(authenticate(*auth, spent), "token_invalid");
  w.revocations.revokeUser("42", w.clock.now(), 24h);
  EXPECT_EQ(authenticate(*auth, w.jwtFor("42")), "session_revoked");
  EXPECT_TRUE(auth->pending());
}

TEST_F(ConnectionAuthTest, AnAuthenticatedConnectionCannotAuthenticateAgain) {
  auto auth = admittedAs(jwtIdentity("42", 600s));
  EXPECT_EQ(authenticate(*auth, w.jwtFor("43")), "policy_violation");
  EXPECT_EQ(auth->identity().user_id, "42");
}

TEST_F(ConnectionAuthTest, OneAuthenticationAtATime) {
  DeferredTicketStore slow;
  CredentialWorld sw(1000, &slow);
  tickets::TicketClaims claims;
  claims.user_id = "42";
  auto ticket = sw.mint(claims);
  ConnectionAuth::Deps slow_deps{*sw.tokens, sw.clock, 5s};
  ConnectionAuth auth(slow_deps, Admitted{Identity{}, true}, nullptr, kFrom, "localhost", false, connected_at);
  std::optional<Verdict<const Identity*>> first;
  auth.authenticate(ticket, live.post(), [&](Verdict<const Identity*> v) { first = std::move(v); });
  EXPECT_FALSE(first.has_value());
  EXPECT_EQ(authenticate(auth, w.jwtFor("43")), "policy_violation");
  slow.answerAll();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(outcome(*first), "accepted");
  EXPECT_EQ(auth.identity().user_id, "42");
}

// --- refresh ---------------------------------------------------------------------------

TEST_F(ConnectionAuthTest, RefreshWithTheSameUserExtendsTheExpiry) {
  auto auth = admittedAs(jwtIdentity("42", 60s));
  EXPECT_EQ(refresh(*auth, w.jwtFor("42", 900s)), "900s");
  EXPECT_EQ(auth->identity().expires_at, w.clock.now() + 900s);
  EXPECT_EQ(auth->identity().user_id, "42");
}

TEST_F(ConnectionAuthTest, RefreshWithAnotherUsersTokenIsUserMismatch) {
  auto auth = admittedAs(jwtIdentity("42", 60s));
  EXPECT_EQ(refresh(*auth, w.jwtFor("43", 900s)), "user_mismatch");
  EXPECT_EQ(auth->identity().user_id, "42");
  EXPECT_EQ(auth->identity().expires_at, w.clock.now() + 60s);
}

TEST_F(ConnectionAuthTest, ARefusedRefreshKeepsTheOldExpiry) {
  auto auth = admittedAs(jwtIdentity("42", 60s));
  auto stale = w.jwtFor("42", 1s);
  w.clock.advance(40s);
  EXPECT_EQ(refresh(*auth, stale), "token_expired");
  EXPECT_EQ(refresh(*auth, "garbage"), "token_invalid");
  EXPECT_EQ(auth->identity().expires_at, w.clock.now() + 20s);
  // A refresh is a credential like any other: revoked is revoked.
  auto before = w.jwtFor("42", 900s);
  w.revocations.revokeUser("42", w.clock.now(), 24h);
  EXPECT_EQ(refresh(*auth, before), "session_revoked");
}

TEST_F(ConnectionAuthTest, AnAnonymousConnectionHasNothingToRefresh) {
  auto auth = bare();
  EXPECT_EQ(refresh(*auth, w.jwtFor("42")), "not authenticated");
  EXPECT_TRUE(auth->identity().anonymous());
}

// --- confirm -----------------------------------------------------------------------------

TEST_F(ConnectionAuthTest, ConfirmRefusesARevocationThatRacedTheHandshake) {
  Identity who = jwtIdentity("7", 600s);
  who.kind = CredentialKind::Session;
  who.session_id = "session-ref-1";
  auto auth = admittedAs(who);
  EXPECT_EQ(confirm(*auth), "accepted");
  // Logout lands after the handshake was accepted but before the socket registered.
  w.revocations.revokeSession("7", "session-ref-1", w.clock.now() + 1h);
  EXPECT_EQ(confirm(*auth), "session_revoked");
}

TEST_F(ConnectionAuthTest, ConfirmRefusesAUserRevokedAfterTheCredentialWasIssued) {
  auto auth = admittedAs(jwtIdentity("7", 600s));
  w.clock.advance(1s);
  w.revocations.revokeUser("7", w.clock.now(), 24h);
  EXPECT_EQ(confirm(*auth), "session_revoked");
}

// Revocations held in memory answer at once: the verdict is given before confirm returns,
// with no task handed to the connection's Post (which would cost a trip through the loop).
TEST_F(ConnectionAuthTest, ConfirmAnsweredAtOnceIsActedOnWithoutPosting) {
  int posted = 0;
  ConnectionAuth::Post counting = [&](std::function<void()>) { ++posted; };
  auto kept = admittedAs(jwtIdentity("7", 600s));
  std::optional<Verdict<void>> out;
  kept->confirm(counting, [&](Verdict<void> v) { out = std::move(v); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(outcome(*out), "accepted");

  w.clock.advance(1s);
  w.revocations.revokeUser("8", w.clock.now(), 24h);
  auto revoked = admittedAs(jwtIdentity("8", 600s));
  out.reset();
  revoked->confirm(counting, [&](Verdict<void> v) { out = std::move(v); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(outcome(*out), "session_revoked");
  EXPECT_EQ(posted, 0);
}

// A check that answers later, from another thread, is acted on through the connection's
// Post, once, with the verdict the records give.
TEST_F(ConnectionAuthTest, ConfirmAnsweredLaterFromAnotherThreadGoesThroughPost) {
  LaterRevocations later(w.revocations);
  TokenVerifier later_tokens(w.issuer, w.markers, later, *w.jwt, w.clock);
  ConnectionAuth::Deps later_deps{later_tokens, w.clock, 5s};
  w.clock.advance(1s);
  w.revocations.revokeUser("9", w.clock.now(), 24h);
  for (std::string user : {"7", "9"}) {
    ConnectionAuth auth(later_deps, Admitted{jwtIdentity(user, 600s), false}, lease(), kFrom, "localhost", false,
                        connected_at);
    std::vector<std::function<void()>> posted;
    std::optional<Verdict<void>> out;
    auth.confirm([&](std::function<void()> task) { posted.push_back(std::move(task)); },
                 [&](Verdict<void> v) { out = std::move(v); });
    EXPECT_FALSE(out.has_value()) << "answered before the records did";
    std::thread records([&] { later.release(); });
    records.join();
    ASSERT_EQ(posted.size(), 1u);
    EXPECT_FALSE(out.has_value()) << "answered off the connection's thread";
    posted.front()();
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(outcome(*out), user == "7" ? "accepted" : "session_revoked");
  }
}

TEST_F(ConnectionAuthTest, ConfirmLetsABareConnectionStay) {
  auto auth = bare();
  EXPECT_EQ(confirm(*auth), "accepted");
}

// --- deadlines ---------------------------------------------------------------------------

TEST_F(ConnectionAuthTest, ABareConnectionTimesOutAfterTheAuthWindow) {
  auto auth = bare();
  EXPECT_EQ(auth->deadlinePassed(connected_at + 5s), std::nullopt);
  EXPECT_EQ(auth->deadlinePassed(connected_at + 5s + 1ms), CloseReason::AuthTimeout);
  ASSERT_EQ(authenticate(*auth, w.jwtFor("42")), "accepted");
  EXPECT_EQ(auth->deadlinePassed(connected_at + 5s + 1ms), std::nullopt);
}

TEST_F(ConnectionAuthTest, AJwtConnectionExpiresAtExpNotAfterTheLeeway) {
  auto auth = bare();
  ASSERT_EQ(authenticate(*auth, w.jwtFor("42", 3s)), "accepted");
  auto steady = connected_at + 1s;
  w.clock.advance(2s);
  EXPECT_EQ(auth->deadlinePassed(steady), std::nullopt);
  w.clock.advance(1s);  // exactly exp; the leeway is 30 s
  EXPECT_EQ(auth->deadlinePassed(steady), CloseReason::TokenExpired);
}

TEST_F(ConnectionAuthTest, ARefreshMovesTheDeadline) {
  auto auth = admittedAs(jwtIdentity("42", 3s));
  ASSERT_EQ(refresh(*auth, w.jwtFor("42", 60s)), "60s");
  w.clock.advance(3s);
  EXPECT_EQ(auth->deadlinePassed(connected_at), std::nullopt);
  w.clock.advance(57s);
  EXPECT_EQ(auth->deadlinePassed(connected_at), CloseReason::TokenExpired);
}

TEST_F(ConnectionAuthTest, WithoutAnExpiryNothingEnds) {
  Identity who = jwtIdentity("42", 1s);
  who.expires_at.reset();
  auto auth = admittedAs(who);
  w.clock.advance(24h);
  EXPECT_EQ(auth->deadlinePassed(connected_at + 24h), std::nullopt);
}

// --- verdicts after the connection has gone ------------------------------------------------

TEST_F(ConnectionAuthTest, AVerdictArrivingAfterTheConnectionEndedIsDropped) {
  DeferredTicketStore slow;
  CredentialWorld sw(1000, &slow);
  tickets::TicketClaims claims;
  claims.user_id = "42";
  auto ticket = sw.mint(claims);
  ConnectionAuth::Deps slow_deps{*sw.tokens, sw.clock, 5s};
  auto auth = std::make_unique<ConnectionAuth>(slow_deps,
                                               Admitted{Identity{}, true}, lease(), kFrom, "localhost", false, connected_at);
  bool called = false;
  auth->authenticate(ticket, live.post(), [&](Verdict<const Identity*>) { called = true; });
  ASSERT_EQ(slow.waiting(), 1u);
  // The connection closes (its owner drops the liveness token, then the object).
  live.alive.reset();
  auth.reset();
  slow.answerAll();
  EXPECT_FALSE(called);
  EXPECT_EQ(live.dropped, 1);
}

TEST_F(ConnectionAuthTest, ARefreshVerdictArrivingAfterTheConnectionEndedIsDropped) {
  DeferredTicketStore slow;
  CredentialWorld sw(1000, &slow);
  tickets::TicketClaims claims;
  claims.user_id = "42";
  auto ticket = sw.mint(claims);
  ConnectionAuth::Deps slow_deps{*sw.tokens, sw.clock, 5s};
  auto auth = std::make_unique<ConnectionAuth>(slow_deps,
                                               Admitted{jwtIdentity("42", 60s), false}, lease(), kFrom,
                                               "localhost", false, connected_at);
  bool called = false;
  auth->refresh(ticket, live.post(), [&](auto) { called = true; });
  live.alive.reset();
  auth.reset();
  slow.answerAll();
  EXPECT_FALSE(called);
  EXPECT_EQ(live.dropped, 1);
}

}  // namespace
}  // namespace sg::auth
