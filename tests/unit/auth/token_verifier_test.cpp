// TokenVerifier over the real memory stores, a real HS256 verifier and a ManualClock:
// tickets (one use, expiry, IP and Origin bindings), JWTs (expiry, one-time jti), what a
// full or failing store reads as (server_busy, never token_invalid), and revocations.
#include "auth/credential_fixture.hpp"

#include "core/errors.hpp"

#include <gtest/gtest.h>

namespace sg::auth {
namespace {

using namespace std::chrono_literals;
using test::CredentialWorld;
using test::outcome;

const Presentation kFromApp{"10.0.0.1", "https://app.example.com"};

tickets::TicketClaims boundClaims(std::string user = "7", std::string session = "session-ref-1") {
  tickets::TicketClaims c;
  c.user_id = std::move(user);
  c.session_id = std::move(session);
  c.client_ip = kFromApp.client_ip;
  c.origin = kFromApp.origin;
  return c;
}

// A ticket store whose back end is down: every call answers Errc::unavailable.
class UnavailableTicketStore final : public tickets::TicketStore {
 public:
  void put(const tickets::TicketHash&, const tickets::TicketClaims&, PutDone done) override {
    done(make_error_code(Errc::unavailable));
  }
  void take(const tickets::TicketHash&, TakeDone done) override { done(make_error_code(Errc::unavailable)); }
  std::size_t size() const override { return 0; }
};

// Revocation records that cannot be read.
class UnreadableRevocations final : public Revocations {
 public:
  void revokeSession(const std::string&, const std::string&, TimePoint) override {}
  void revokeUser(const std::string&, TimePoint, std::chrono::seconds) override {}
  void check(const Identity&, CheckDone done) const override {
    done(boost::system::result<bool>(boost::system::in_place_error, make_error_code(Errc::unavailable)));
  }
  void setOnRevoked(OnRevoked) override {}
};

// --- tickets -------------------------------------------------------------------------

TEST(TokenVerifierTicket, AcceptedFromItsBindingsWithTheMintedClaims) {
  CredentialWorld w;
  auto claims = boundClaims();
  claims.credential_expires_at = w.clock.now() + 1h;
  auto minted_at = w.clock.now();
  auto ticket = w.mint(claims);
  w.clock.advance(2s);
  auto v = w.verify(ticket, kFromApp);
  ASSERT_EQ(outcome(v), "accepted");
  EXPECT_EQ(v->user_id, "7");
  EXPECT_EQ(v->session_id, "session-ref-1");
  EXPECT_EQ(v->kind, CredentialKind::Ticket);
  // The socket lives as long as the credential the ticket was traded for, not the ticket.
  EXPECT_EQ(v->expires_at, minted_at + 1h);
  EXPECT_EQ(v->issued_at, minted_at);
}

TEST(TokenVerifierTicket, ASecondPresentationIsTokenInvalid) {
  CredentialWorld w;
  auto ticket = w.mint(boundClaims());
  ASSERT_EQ(outcome(w.verify(ticket, kFromApp)), "accepted");
  EXPECT_EQ(outcome(w.verify(ticket, kFromApp)), "token_invalid");
}

TEST(TokenVerifierTicket, UnknownTicketIsTokenInvalid) {
  CredentialWorld w;
  EXPECT_EQ(outcome(w.verify(std::string(tickets::kTicketChars, 'A'), kFromApp)), "token_invalid");
}

TEST(TokenVerifierTicket, PastItsTtlIsTokenExpired) {
  CredentialWorld w;
  auto ticket = w.mint(boundClaims());
  w.clock.advance(10s);
  w.clock.advance(1ms);
  EXPECT_EQ(outcome(w.verify(ticket, kFromApp)), "token_expired");
}

TEST(TokenVerifierTicket, FromAnotherIpIsBindingMismatchAndTheTicketIsSpent) {
  CredentialWorld w;
  auto ticket = w.mint(boundClaims());
  EXPECT_EQ(outcome(w.verify(ticket, {"10.0.0.2", kFromApp.origin})), "binding_mismatch");
  // A refused presentation consumes it too: the rightful owner cannot race a thief with it.
  EXPECT_EQ(outcome(w.verify(ticket, kFromApp)), "token_invalid");
}

TEST(TokenVerifierTicket, FromAnotherOriginIsBindingMismatch) {
  CredentialWorld w;
  auto ticket = w.mint(boundClaims());
  EXPECT_EQ(outcome(w.verify(ticket, {kFromApp.client_ip, "https://evil.example.net"})), "binding_mismatch");
}

TEST(TokenVerifierTicket, MintedWithAnOriginAndPresentedWithNoneIsBindingMismatch) {
  CredentialWorld w;
  auto ticket = w.mint(boundClaims());
  EXPECT_EQ(outcome(w.verify(ticket, {kFromApp.client_ip, ""})), "binding_mismatch");
}

TEST(TokenVerifierTicket, UnboundClaimsAcceptAnyPresentation) {
  CredentialWorld w;
  tickets::TicketClaims claims;
  claims.user_id = "7";
  auto ticket = w.mint(claims);
  EXPECT_EQ(outcome(w.verify(ticket, {"192.0.2.9", "https://other.example.org"})), "accepted");
}

TEST(TokenVerifierTicket, AStoreThatCannotAnswerIsServerBusy) {
  UnavailableTicketStore down;
  CredentialWorld w(1000, &down);
  auto v = w.verify(std::string(tickets::kTicketChars, 'A'), kFromApp);
  ASSERT_EQ(outcome(v), "server_busy");
  EXPECT_TRUE(v.error().retry_after_ms.has_value());
}

// --- JWTs --------------------------------------------------------------------------------

TEST(TokenVerifierJwt, AcceptedWithExpiryAtExpNotExpPlusLeeway) {
  CredentialWorld w;
  auto issued = w.clock.now();
  auto v = w.verify(w.jwtFor("42", 3s));
  ASSERT_EQ(outcome(v), "accepted");
  EXPECT_EQ(v->user_id, "42");
  EXPECT_EQ(v->kind, CredentialKind::Jwt);
  EXPECT_TRUE(v->session_id.empty());
  EXPECT_EQ(v->expires_at, issued + 3s);  // the leeway (30 s) is not extra life
  EXPECT_EQ(v->issued_at, issued);
}

TEST(TokenVerifierJwt, PastExpAndLeewayIsTokenExpired) {
  CredentialWorld w;
  auto token = w.jwtFor("42", 3s);
  w.clock.advance(3s + 30s);
  EXPECT_EQ(outcome(w.verify(token)), "token_expired");
}

TEST(TokenVerifierJwt, WrongSignatureIsTokenInvalid) {
  CredentialWorld w;
  auto token = w.jwtFor("42");
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(outcome(w.verify(token)), "token_invalid");
}

TEST(TokenVerifierJwt, AJtiIsGoodForOnePresentation) {
  CredentialWorld w;
  auto token = w.jwtFor("42", 600s, "jti-1");
  EXPECT_EQ(outcome(w.verify(token)), "accepted");
  EXPECT_EQ(outcome(w.verify(token)), "token_invalid");
  // Another token with another id is not affected.
  EXPECT_EQ(outcome(w.verify(w.jwtFor("42", 600s, "jti-2"))), "accepted");
}

TEST(TokenVerifierJwt, AFullJtiStoreIsServerBusyNeverTokenInvalid) {
  CredentialWorld w(/*markers_max=*/1);
  ASSERT_EQ(outcome(w.verify(w.jwtFor("42", 600s, "jti-1"))), "accepted");
  auto v = w.verify(w.jwtFor("42", 600s, "jti-2"));
  EXPECT_EQ(outcome(v), "server_busy");
  // Tokens without an id need no mark and still pass.
  EXPECT_EQ(outcome(w.verify(w.jwtFor("42"))), "accepted");
}

TEST(TokenVerifierJwt, AFullTicketStoreDoesNotTouchJtiMarks) {
  tickets::MemoryTicketStore full(1);
  CredentialWorld w(1000, &full);
  tickets::TicketClaims claims;
  claims.user_id = "7";
  claims.expires_at = w.clock.now() + 1h;
  full.put(tickets::TicketIssuer::hash("filler"), claims, [](boost::system::result<void> r) { ASSERT_TRUE(r); });
  EXPECT_EQ(outcome(w.verify(w.jwtFor("42", 600s, "jti-fresh"))), "accepted");
}

// --- revocations -----------------------------------------------------------------------

TEST(TokenVerifierRevocation, ATicketOfARevokedSessionIsSessionRevoked) {
  CredentialWorld w;
  auto ticket = w.mint(boundClaims("7", "session-ref-1"));
  auto other = w.mint(boundClaims("7", "session-ref-2"));
  w.revocations.revokeSession("7", "session-ref-1", w.clock.now() + 1h);
  EXPECT_EQ(outcome(w.verify(ticket, kFromApp)), "session_revoked");
  EXPECT_EQ(outcome(w.verify(other, kFromApp)), "accepted");
}

TEST(TokenVerifierRevocation, AUserRevocationVoidsWhatWasIssuedBeforeIt) {
  CredentialWorld w;
  auto before = w.jwtFor("42");
  auto ticket_before = w.mint(boundClaims("42", ""));
  auto bystander = w.jwtFor("43");
  w.clock.advance(1s);
  w.revocations.revokeUser("42", w.clock.now(), 24h);
  w.clock.advance(1s);
  auto after = w.jwtFor("42");
  EXPECT_EQ(outcome(w.verify(before)), "session_revoked");
  EXPECT_EQ(outcome(w.verify(ticket_before, kFromApp)), "session_revoked");
  EXPECT_EQ(outcome(w.verify(after)), "accepted");
  EXPECT_EQ(outcome(w.verify(bystander)), "accepted");
}

TEST(TokenVerifierRevocation, AJwtWithoutIatCannotProveItCameAfter) {
  CredentialWorld w;
  w.revocations.revokeUser("42", w.clock.now(), 24h);
  w.clock.advance(5s);
  boost::json::object claims{{"sub", "42"}, {"exp", test::epochSeconds(w.clock.now() + 600s)}};
  EXPECT_EQ(outcome(w.verify(w.signer->sign(boost::json::serialize(claims)))), "session_revoked");
}

TEST(TokenVerifierRevocation, CheckRevocationJudgesIdentitiesMadeElsewhere) {
  CredentialWorld w;
  Identity cookie;
  cookie.user_id = "7";
  cookie.session_id = "cookie-session-ref";
  cookie.kind = CredentialKind::Session;
  cookie.issued_at = w.clock.now();
  auto check = [&] {
    std::optional<Verdict<Identity>> out;
    w.tokens->checkRevocation(cookie, [&](Verdict<Identity> v) { out = std::move(v); });
    EXPECT_TRUE(out.has_value());
    return outcome(out.value_or(Refusal{CloseReason::BadRequest, std::nullopt}));
  };
  EXPECT_EQ(check(), "accepted");
  w.revocations.revokeSession("7", "cookie-session-ref", w.clock.now() + 1h);
  EXPECT_EQ(check(), "session_revoked");
}

TEST(TokenVerifierRevocation, UnreadableRecordsAreServerBusyNotAPass) {
  CredentialWorld w;
  UnreadableRevocations unreadable;
  TokenVerifier tokens(w.issuer, w.markers, unreadable, *w.jwt, w.clock);
  std::optional<Verdict<Identity>> out;
  tokens.verify(w.jwtFor("42"), {}, [&](Verdict<Identity> v) { out = std::move(v); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(outcome(*out), "server_busy");
}

// --- verdicts on the spot ----------------------------------------------------------------

TEST(TokenVerifierNow, MemoryStoresGiveTheSameVerdictsOnTheSpot) {
  CredentialWorld w;
  auto ticket = w.mint(boundClaims());
  auto v = w.tokens->verifyTicketNow(ticket, kFromApp);
  ASSERT_TRUE(v.has_value());
  ASSERT_EQ(outcome(*v), "accepted");
  EXPECT_EQ((*v)->user_id, "7");
  EXPECT_EQ((*v)->kind, CredentialKind::Ticket);
  EXPECT_EQ(outcome(*w.tokens->verifyTicketNow(ticket, kFromApp)), "token_invalid");  // spent
  EXPECT_EQ(outcome(*w.tokens->verifyTicketNow(w.mint(boundClaims()), {"10.0.0.2", kFromApp.origin})),
            "binding_mismatch");

  auto revoked_ticket = w.mint(boundClaims("7", "ref-9"));
  w.revocations.revokeSession("7", "ref-9", w.clock.now() + 1h);
  EXPECT_EQ(outcome(*w.tokens->verifyTicketNow(revoked_ticket, kFromApp)), "session_revoked");
}

TEST(TokenVerifierNow, RecordsThatAnswerLaterLeaveTheTicketUnspent) {
  CredentialWorld w;
  UnreadableRevocations unreadable;  // answers only through check()
  TokenVerifier tokens(w.issuer, w.markers, unreadable, *w.jwt, w.clock);
  auto ticket = w.mint(boundClaims());
  EXPECT_FALSE(tokens.verifyTicketNow(ticket, kFromApp).has_value());
  EXPECT_EQ(w.store.size(), 1u);  // not taken
  Identity someone;
  someone.user_id = "7";
  someone.kind = CredentialKind::Ticket;
  EXPECT_FALSE(tokens.checkRevocationNow(someone).has_value());
  // The callback form takes it and reports the records' outage, never a pass.
  std::optional<Verdict<Identity>> out;
  tokens.verifyTicket(ticket, kFromApp, [&](Verdict<Identity> v) { out = std::move(v); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(outcome(*out), "server_busy");
  EXPECT_EQ(w.store.size(), 0u);
}

TEST(TokenVerifierNow, AStoreThatAnswersLaterIsNotAskedOnTheSpot) {
  UnavailableTicketStore down;
  CredentialWorld w(1000, &down);
  EXPECT_FALSE(w.tokens->verifyTicketNow(std::string(tickets::kTicketChars, 'A'), kFromApp).has_value());
}

}  // namespace
}  // namespace sg::auth
