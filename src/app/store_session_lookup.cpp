#include "app/store_session_lookup.hpp"

#include "core/encoding.hpp"

namespace sg::app {

void StoreSessionLookup::find(std::string session_id, Done done) {
  // A session id has a token's shape; anything else is not worth a query.
  if (session_id.size() != 43) return done(std::optional<auth::SessionInfo>());
  pool_.post([this, id = std::move(session_id), done = std::move(done)] {
    auto found = sessions_.findLive(sha256Hex(id), clock_.now());
    // The store's error (unavailable) goes on as it is: the handshake and the API answer
    // server_busy for it, never "invalid".
    if (!found) return done(found.error());
    if (!*found) return done(std::optional<auth::SessionInfo>());
    const auto& s = **found;
    done(auth::SessionInfo{s.user_id, s.id_hash, s.csrf_token, s.created_at, s.expires_at});
  });
}

}  // namespace sg::app
