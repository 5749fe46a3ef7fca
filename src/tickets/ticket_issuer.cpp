#include "tickets/ticket_issuer.hpp"

#include "core/encoding.hpp"
#include "core/errors.hpp"

#include <algorithm>

namespace sg::tickets {

TicketIssuer::TicketIssuer(TicketStore& store, const Clock& clock, std::chrono::seconds ttl)
    : store_(store), clock_(clock), ttl_(ttl) {}

TicketHash TicketIssuer::hash(std::string_view s) { return sha256(s); }

bool TicketIssuer::looksLikeTicket(std::string_view s) { return s.size() == kTicketChars && isBase64url(s); }

std::optional<boost::system::result<Minted>> TicketIssuer::mintNow(TicketClaims&& claims) {
  if (!store_.answersNow()) return std::nullopt;
  std::string ticket = randomToken(32);
  claims.issued_at = clock_.now();
  claims.expires_at = claims.issued_at + ttl_;
  auto stored = store_.putNow(hash(ticket), std::move(claims));
  if (!stored) return std::nullopt;  // not for a store that answers now
  if (!*stored) return boost::system::result<Minted>(stored->error());
  return boost::system::result<Minted>(Minted{std::move(ticket), ttl_});
}

void TicketIssuer::mint(TicketClaims claims, MintDone done) {
  if (auto minted = mintNow(std::move(claims))) return done(std::move(*minted));
  std::string ticket = randomToken(32);
  claims.issued_at = clock_.now();
  claims.expires_at = claims.issued_at + ttl_;
  auto key = hash(ticket);
  store_.put(key, claims, [ticket = std::move(ticket), ttl = ttl_, done = std::move(done)](boost::system::result<void> stored) mutable {
    if (!stored) return done(stored.error());
    done(Minted{std::move(ticket), ttl});
  });
}

boost::system::result<TicketClaims> TicketIssuer::judge(boost::system::result<std::optional<TicketClaims>>&& taken) const {
  if (!taken) return taken.error();
  if (!*taken) return make_error_code(Errc::not_found);
  if ((*taken)->expires_at < clock_.now()) return make_error_code(Errc::expired);
  return std::move(**taken);
}

std::optional<boost::system::result<TicketClaims>> TicketIssuer::redeemNow(std::string_view ticket) {
  if (!store_.answersNow()) return std::nullopt;
  if (!looksLikeTicket(ticket)) return boost::system::result<TicketClaims>(make_error_code(Errc::not_found));
  auto taken = store_.takeNow(hash(ticket));
  if (!taken) return std::nullopt;  // not for a store that answers now
  return judge(std::move(*taken));
}

void TicketIssuer::redeem(std::string_view ticket, RedeemDone done) {
  if (!looksLikeTicket(ticket)) return done(make_error_code(Errc::not_found));
  auto key = hash(ticket);
  if (auto taken = store_.takeNow(key)) return done(judge(std::move(*taken)));
  store_.take(key, [this, done = std::move(done)](boost::system::result<std::optional<TicketClaims>> taken) {
    done(judge(std::move(taken)));
  });
}

}  // namespace sg::tickets
