#include "tickets/ticket_issuer.hpp"

#include <openssl/sha.h>
#include <sodium.h>

#include <algorithm>

namespace sg::tickets {

TicketIssuer::TicketIssuer(TicketStore& store, const Clock& clock, std::chrono::seconds ttl)
    : store_(store), clock_(clock), ttl_(ttl) {}

TicketHash TicketIssuer::hash(std::string_view s) {
  TicketHash out{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out.data());
  return out;
}

bool TicketIssuer::looksLikeTicket(std::string_view s) {
  return s.size() == kTicketChars && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
         });
}

Minted TicketIssuer::mint(TicketClaims claims) {
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  char encoded[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(encoded, sizeof encoded, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  std::string ticket(encoded);
  claims.issued_at = clock_.now();
  claims.expires_at = claims.issued_at + ttl_;
  if (store_.put(hash(ticket), claims) != PutResult::Stored) return Minted{};
  return Minted{std::move(ticket), ttl_};
}

Redeemed TicketIssuer::redeem(std::string_view ticket) {
  if (!looksLikeTicket(ticket)) return Redeemed{std::nullopt, RedeemError::Unknown};
  auto claims = store_.take(hash(ticket));
  if (!claims) return Redeemed{std::nullopt, RedeemError::Unknown};
  if (claims->expires_at < clock_.now()) return Redeemed{std::nullopt, RedeemError::Expired};
  return Redeemed{std::move(claims), RedeemError::Unknown};
}

bool TicketIssuer::firstUse(std::string_view token_id, TimePoint expires_at) {
  // A distinct prefix keeps token ids out of the ticket key space.
  std::string key = "jti\n";
  key += token_id;
  TicketClaims marker;
  marker.issued_at = clock_.now();
  marker.expires_at = expires_at;
  return store_.put(hash(key), marker) == PutResult::Stored;
}

}  // namespace sg::tickets
