#include "auth/token_verifier.hpp"

#include "core/errors.hpp"

namespace sg::auth {
namespace {

Refusal refusalFor(const boost::system::error_code& ec) {
  if (isTransient(ec)) return unavailable();
  if (ec == Errc::expired) return Refusal{CloseReason::TokenExpired, std::nullopt};
  return Refusal{CloseReason::TokenInvalid, std::nullopt};
}

}  // namespace

void TokenVerifier::verify(std::string_view token, Presentation from, Done done) {
  if (tickets::TicketIssuer::looksLikeTicket(token)) return verifyTicket(token, std::move(from), std::move(done));
  verifyJwt(token, std::move(done));
}

void TokenVerifier::verifyTicket(std::string_view ticket, Presentation from, Done done) {
  if (auto verdict = verifyTicketNow(ticket, from)) return done(std::move(*verdict));
  // The store answers later, perhaps after the request `from` views has gone.
  tickets_.redeem(ticket, [this, ip = std::string(from.client_ip), origin = std::string(from.origin),
                           done = std::move(done)](boost::system::result<tickets::TicketClaims> redeemed) mutable {
    auto who = ticketIdentity(std::move(redeemed), Presentation{ip, origin});
    if (!who) return done(who.error());
    checkRevocation(std::move(*who), std::move(done));
  });
}

std::optional<Verdict<Identity>> TokenVerifier::verifyTicketNow(std::string_view ticket, Presentation from) {
  // Both are asked only if both answer: a ticket once taken must get its verdict here.
  if (!tickets_.answersNow() || !revocations_.answersNow()) return std::nullopt;
  auto redeemed = tickets_.redeemNow(ticket);
  if (!redeemed) return std::nullopt;  // not for a store that answers now
  auto who = ticketIdentity(std::move(*redeemed), from);
  if (!who) return who;
  auto revoked = checkRevocationNow(*who);
  // Records that said they answer and did not: never let the credential through unchecked.
  if (!revoked) return Verdict<Identity>(unavailable());
  if (!*revoked) return Verdict<Identity>(revoked->error());
  return who;
}

Verdict<Identity> TokenVerifier::ticketIdentity(boost::system::result<tickets::TicketClaims>&& redeemed,
                                                Presentation from) {
  if (!redeemed) return refusalFor(redeemed.error());
  auto& c = *redeemed;
  if (!c.client_ip.empty() && c.client_ip != from.client_ip) return Refusal{CloseReason::BindingMismatch, std::nullopt};
  // A ticket minted from a page is good only from that page: a presentation without any
  // Origin does not match one.
  if (!c.origin.empty() && c.origin != from.origin) return Refusal{CloseReason::BindingMismatch, std::nullopt};
  Identity who;
  who.user_id = std::move(c.user_id);
  who.session_id = std::move(c.session_id);
  who.kind = CredentialKind::Ticket;
  who.expires_at = c.credential_expires_at;
  who.issued_at = c.issued_at;
  return who;
}

void TokenVerifier::verifyJwt(std::string_view token, Done done) {
  auto result = jwt_.verify(token, clock_.now());
  if (!result) {
    return done(Refusal{result.error() == JwtError::Expired ? CloseReason::TokenExpired : CloseReason::TokenInvalid,
                        std::nullopt});
  }
  Identity who;
  who.user_id = result->subject;
  who.kind = CredentialKind::Jwt;
  // The leeway is for clock skew when the token is checked, not extra life: a socket on
  // this token closes at exp.
  who.expires_at = result->expires_at;
  who.issued_at = result->issued_at;
  if (result->jti.empty()) return checkRevocation(std::move(who), std::move(done));
  // A token with an id is good for one connection only: its id is remembered for as long
  // as the token itself would be accepted, leeway included.
  markers_.markFirstUse(result->jti, result->accepted_until,
                        [this, who = std::move(who), done = std::move(done)](boost::system::result<bool> first) mutable {
                          if (!first) return done(unavailable());
                          if (!*first) return done(Refusal{CloseReason::TokenInvalid, std::nullopt});
                          checkRevocation(std::move(who), std::move(done));
                        });
}

namespace {

// What a revocation check's answer makes of a credential.
Verdict<void> revocationVerdict(const boost::system::result<bool>& revoked) {
  if (!revoked) return unavailable();
  if (*revoked) return Refusal{CloseReason::SessionRevoked, std::nullopt};
  return {};
}

}  // namespace

void TokenVerifier::checkRevocation(Identity who, Done done) const {
  if (auto now = checkRevocationNow(who)) {
    if (!*now) return done(now->error());
    return done(std::move(who));
  }
  revocations_.check(who, [who, done = std::move(done)](boost::system::result<bool> revoked) mutable {
    auto verdict = revocationVerdict(revoked);
    if (!verdict) return done(verdict.error());
    done(std::move(who));
  });
}

std::optional<Verdict<void>> TokenVerifier::checkRevocationNow(const Identity& who) const {
  auto revoked = revocations_.checkNow(who);
  if (!revoked) return std::nullopt;
  return revocationVerdict(*revoked);
}

}  // namespace sg::auth
