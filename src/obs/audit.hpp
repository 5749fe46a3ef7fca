#pragma once
// Audit events: one line per security decision (connect accepted or refused, ticket
// minted, session revoked), on the "audit" channel of the log. Fields are names and
// non-secret values only: user ids, client IPs, Origins, reasons, and shortHash() of
// session ids — never a token, ticket, cookie or session id itself.
#include <initializer_list>
#include <string_view>
#include <utility>

namespace sg::obs {

using AuditField = std::pair<std::string_view, std::string_view>;

void audit(std::string_view event, std::initializer_list<AuditField> fields);

}  // namespace sg::obs
