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

void TicketMinting::mint(tickets::TicketClaims claims, Done done) {
  std::string user = claims.user_id;
  std::string session = claims.session_id.empty() ? "" : obs::shortHash(claims.session_id);
  std::string ip = claims.client_ip;
  tickets_.mint(std::move(claims), [user = std::move(user), session = std::move(session), ip = std::move(ip),
                                    done = std::move(done)](boost::system::result<tickets::Minted> minted) {
    if (!minted) return done(apiFailure(503, "server_busy", "tickets cannot be issued now; retry shortly", 1));
    obs::audit("ticket_minted", {{"user", user}, {"session", session}, {"ip", ip}});
    done(std::move(*minted));
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
