#include "auth/token_verifier.hpp"

namespace sg::auth {

ConnectDecision TokenVerifier::verify(std::string_view token, const Presentation& from) {
  if (tickets::TicketIssuer::looksLikeTicket(token)) return verifyTicket(token, from);
  return verifyJwt(token);
}

ConnectDecision TokenVerifier::verifyTicket(std::string_view ticket, const Presentation& from) {
  auto redeemed = tickets_.redeem(ticket);
  if (!redeemed.claims) {
    return ConnectDecision::refuse(redeemed.error == tickets::RedeemError::Expired ? CloseReason::TokenExpired
                                                                                   : CloseReason::TokenInvalid);
  }
  const auto& c = *redeemed.claims;
  if (!c.client_ip.empty() && c.client_ip != from.client_ip) return ConnectDecision::refuse(CloseReason::BindingMismatch);
  if (!c.origin.empty() && !from.origin.empty() && c.origin != from.origin) {
    return ConnectDecision::refuse(CloseReason::BindingMismatch);
  }
  Identity who;
  who.user_id = c.user_id;
  who.session_id = c.session_id;
  who.kind = CredentialKind::Ticket;
  who.expires_at = c.credential_expires_at;
  return ConnectDecision::accept(std::move(who));
}

ConnectDecision TokenVerifier::verifyJwt(std::string_view token) {
  auto result = jwt_.verify(token, clock_.now());
  if (!result.claims) {
    return ConnectDecision::refuse(result.error == JwtError::Expired ? CloseReason::TokenExpired
                                                                     : CloseReason::TokenInvalid);
  }
  // A token with an id is good for one connection only: its id is remembered for as long
  // as the token itself would be accepted, leeway included.
  if (!result.claims->jti.empty() && !tickets_.firstUse(result.claims->jti, result.claims->accepted_until)) {
    return ConnectDecision::refuse(CloseReason::TokenInvalid);
  }
  Identity who;
  who.user_id = result.claims->subject;
  who.kind = CredentialKind::Jwt;
  // The socket lives as long as the handshake would still accept the token: exp plus the
  // leeway. Closing at bare exp would refuse what was just accepted, and clients would
  // reconnect straight into the same token.
  who.expires_at = result.claims->accepted_until;
  return ConnectDecision::accept(std::move(who));
}

}  // namespace sg::auth
