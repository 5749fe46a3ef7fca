#pragma once
// What the credential tests share: the real stores in memory, a real HS256 JwtVerifier and
// a signer with the same secret, a ManualClock, and the TokenVerifier over them. The clock
// starts at a whole second of the wall clock because the memory stores, when full, drop
// what expired by the wall clock, and JWT dates are whole seconds.
#include "auth/jwt.hpp"
#include "auth/memory_revocations.hpp"
#include "auth/token_verifier.hpp"
#include "core/clock.hpp"
#include "tickets/memory_one_time_markers.hpp"
#include "tickets/memory_ticket_store.hpp"
#include "tickets/ticket_issuer.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace sg::test {

inline constexpr std::string_view kJwtSecret = "unit-test-hs256-secret-0123456789abcdef";

inline std::chrono::system_clock::time_point wholeSecondNow() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

inline std::int64_t epochSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The reason's name from the close table, or "accepted": failures print readably.
template <class T>
std::string outcome(const auth::Verdict<T>& verdict) {
  return verdict ? "accepted" : std::string(closeInfo(verdict.error().reason).name);
}

struct CredentialWorld {
  explicit CredentialWorld(std::size_t markers_max = 1000, tickets::TicketStore* store_override = nullptr)
      : markers(markers_max), issuer(store_override ? *store_override : store, clock, std::chrono::seconds(10)) {
    auth::JwtSettings settings;
    settings.alg = "HS256";
    settings.secret = std::string(kJwtSecret);
    settings.leeway_s = 30;
    std::string error;
    jwt = auth::JwtVerifier::create(settings, &error);
    signer = auth::JwtSigner::create(settings, &error);
    EXPECT_TRUE(jwt && signer) << error;
    tokens = std::make_unique<auth::TokenVerifier>(issuer, markers, revocations, *jwt, clock);
  }

  // A JWT for `sub` issued `iat_offset` from now, expiring `ttl` after now; jti when not empty.
  std::string jwtFor(std::string_view sub, std::chrono::seconds ttl = std::chrono::seconds(600),
                     std::string_view jti = "", std::chrono::seconds iat_offset = std::chrono::seconds(0)) const {
    boost::json::object claims{{"sub", sub},
                               {"iat", epochSeconds(clock.now() + iat_offset)},
                               {"exp", epochSeconds(clock.now() + ttl)}};
    if (!jti.empty()) claims["jti"] = jti;
    return signer->sign(boost::json::serialize(claims));
  }

  // Mints a ticket with these claims (the store answers inline).
  std::string mint(tickets::TicketClaims claims) {
    std::optional<std::string> ticket;
    issuer.mint(std::move(claims), [&](boost::system::result<tickets::Minted> minted) {
      if (minted) ticket = minted->ticket;
    });
    EXPECT_TRUE(ticket.has_value()) << "mint did not answer with a ticket";
    return ticket.value_or("");
  }

  // verify() through the stores, which answer inline: the verdict is there on return.
  auth::Verdict<Identity> verify(std::string_view token, auth::Presentation from = {}) {
    std::optional<auth::Verdict<Identity>> out;
    tokens->verify(token, std::move(from), [&](auth::Verdict<Identity> v) { out = std::move(v); });
    EXPECT_TRUE(out.has_value()) << "verify did not answer";
    return out.value_or(auth::Refusal{CloseReason::BadRequest, std::nullopt});
  }

  ManualClock clock{wholeSecondNow()};
  tickets::MemoryTicketStore store{1000};
  tickets::MemoryOneTimeMarkers markers;
  auth::MemoryRevocations revocations{clock};
  tickets::TicketIssuer issuer;
  std::unique_ptr<auth::JwtVerifier> jwt;
  std::unique_ptr<auth::JwtSigner> signer;
  std::unique_ptr<auth::TokenVerifier> tokens;
};

}  // namespace sg::test
