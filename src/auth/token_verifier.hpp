#pragma once
// Turns a bearer credential, a one-time ticket or a JWT, into an Identity, applying the
// bindings of DESIGN §3: a ticket is consumed whatever the outcome, and its client IP and
// Origin must match the presenting connection's (a ticket minted with an Origin needs
// that Origin); a JWT with a `jti` is one-time; a revoked session or user is refused
// session_revoked. Asynchronous: stores may answer from another thread, and a store that
// cannot answer gives server_busy, never token_invalid.
#include "auth/jwt.hpp"
#include "auth/refusal.hpp"
#include "auth/revocations.hpp"
#include "core/clock.hpp"
#include "core/identity.hpp"
#include "tickets/one_time_markers.hpp"
#include "tickets/ticket_issuer.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace sg::auth {

// Where a credential is presented from: views of the presenting request's own strings,
// which outlive the call (a check that answers later keeps its own copies).
struct Presentation {
  std::string_view client_ip;
  std::string_view origin;  // empty when the request had none
};

class TokenVerifier {
 public:
  using Done = std::function<void(Verdict<Identity>)>;

  TokenVerifier(tickets::TicketIssuer& tickets, tickets::OneTimeMarkers& markers, const Revocations& revocations,
                const JwtVerifier& jwt, const Clock& clock)
      : tickets_(tickets), markers_(markers), revocations_(revocations), jwt_(jwt), clock_(clock) {}

  // A ticket when it has a ticket's shape, otherwise a JWT.
  void verify(std::string_view token, Presentation from, Done done);
  void verifyTicket(std::string_view ticket, Presentation from, Done done);
  // verifyTicket()'s verdict on the spot, when the ticket store and the revocation records
  // both answer without waiting; nullopt otherwise, and then nothing was asked (the
  // ticket is not spent).
  std::optional<Verdict<Identity>> verifyTicketNow(std::string_view ticket, Presentation from);
  void verifyJwt(std::string_view token, Done done);
  // The last check every accepted credential passes: refused session_revoked when its
  // session or user has been revoked. For identities made elsewhere (cookie sessions).
  void checkRevocation(Identity who, Done done) const;
  // The same verdict on the spot, when the revocation records answer without waiting
  // (Revocations::checkNow); nullopt: use checkRevocation.
  std::optional<Verdict<void>> checkRevocationNow(const Identity& who) const;

 private:
  // A redeemed ticket's bindings checked against where it is presented from: the identity
  // it carries, whose revocations are still to check.
  static Verdict<Identity> ticketIdentity(boost::system::result<tickets::TicketClaims>&& redeemed, Presentation from);

  tickets::TicketIssuer& tickets_;
  tickets::OneTimeMarkers& markers_;
  const Revocations& revocations_;
  const JwtVerifier& jwt_;
  const Clock& clock_;
};

}  // namespace sg::auth
