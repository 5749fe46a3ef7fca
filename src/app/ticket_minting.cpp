#include "app/ticket_minting.hpp"

#include "obs/audit.hpp"
#include "obs/redact.hpp"

namespace sg::app {

ApiFailure credentialRefused(CloseReason reason, std::string message) {
  const auto& info = closeInfo(reason);
  std::optional<int> retry;
  if (reason == CloseReason::ServerBusy) retry = 1;
  return apiFailure(info.http_status, info.name, std::move(message), retry);
}

namespace {

// The store's answer to a mint as the API gives it; a ticket issued is audited.
ApiResult<tickets::Minted> minted(boost::system::result<tickets::Minted> stored, std::string_view user,
                                  std::string_view session, std::string_view ip) {
  if (!stored) return apiFailure(503, "server_busy", "tickets cannot be issued now; retry shortly", 1);
  obs::audit("ticket_minted", {{"user", user}, {"session", session}, {"ip", ip}});
  return std::move(*stored);
}

}  // namespace

std::optional<ApiResult<tickets::Minted>> TicketMinting::mintNow(tickets::TicketClaims&& claims) {
  if (!tickets_.answersNow()) return std::nullopt;
  // Kept for the audit line: the claims go to the store.
  std::string user = claims.user_id;
  std::string session = claims.session_id.empty() ? "" : obs::shortHash(claims.session_id);
  std::string ip = claims.client_ip;
  auto stored = tickets_.mintNow(std::move(claims));
  if (!stored) return std::nullopt;
  return minted(std::move(*stored), user, session, ip);
}

void TicketMinting::mint(tickets::TicketClaims claims, Done done) {
  if (auto now = mintNow(std::move(claims))) return done(std::move(*now));
  std::string user = claims.user_id;
  std::string session = claims.session_id.empty() ? "" : obs::shortHash(claims.session_id);
  std::string ip = claims.client_ip;
  tickets_.mint(std::move(claims), [user = std::move(user), session = std::move(session), ip = std::move(ip),
                                    done = std::move(done)](boost::system::result<tickets::Minted> stored) {
    done(minted(std::move(stored), user, session, ip));
  });
}

void TicketMinting::mintFor(Identity who, std::string client_ip, std::string origin, Done done) {
  tokens_.checkRevocation(std::move(who), [this, client_ip = std::move(client_ip), origin = std::move(origin),
                                           done = std::move(done)](auth::Verdict<Identity> verdict) mutable {
    if (!verdict) return done(credentialRefused(verdict.error().reason, "credential refused"));
    if (auto wait = limits_.admit(verdict->user_id, client_ip)) {
      return done(apiFailure(429, "rate_limited", "too many tickets; retry later",
                             static_cast<int>((wait->count() + 999) / 1000)));
    }
    tickets::TicketClaims claims;
    claims.user_id = verdict->user_id;
    claims.session_id = verdict->session_id;
    claims.client_ip = std::move(client_ip);
    claims.origin = std::move(origin);
    claims.credential_expires_at = verdict->expires_at;
    mint(std::move(claims), std::move(done));
  });
}

}  // namespace sg::app
