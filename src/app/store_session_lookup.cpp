#include "app/store_session_lookup.hpp"

#include "core/encoding.hpp"

namespace sg::app {

void StoreSessionLookup::find(std::string session_id, Done done) {
  // A session id has a token's shape; anything else is not worth a query.
  if (session_id.size() != 43) return done(std::optional<auth::SessionInfo>());
  pool_.post([this, id = std::move(session_id), done = std::move(done)] {
    auto session = sessions_.findLive(sha256Hex(id), clock_.now());
    if (!session) return done(std::optional<auth::SessionInfo>());
    done(auth::SessionInfo{session->user_id, session->id_hash, session->csrf_token, session->created_at,
                           session->expires_at});
  });
}

}  // namespace sg::app
