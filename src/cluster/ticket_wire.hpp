#pragma once
// Tickets' and one-time markers' keys and values in Redis. Keys carry the SHA-256 of the
// ticket or token id in hex (the secret itself is never stored); a ticket's value is its
// claims, length-prefixed:
//   version byte (1); user_id, session_id, client_ip, origin as (u32 length, bytes);
//   issued_at, expires_at, credential_expires_at (or -1) as i64 milliseconds since 1970.
#include "tickets/ticket_store.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace sg::cluster {

std::string ticketKey(const tickets::TicketHash& key);
std::string markerKey(std::string_view token_id);  // hashes the id

std::string encodeClaims(const tickets::TicketClaims& claims);
std::optional<tickets::TicketClaims> decodeClaims(std::string_view value);

}  // namespace sg::cluster
