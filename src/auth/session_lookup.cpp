#include "auth/session_lookup.hpp"

#include "auth/passwords.hpp"
#include "core/errors.hpp"

namespace sg::auth {

Identity sessionIdentity(const SessionInfo& session) {
  Identity who;
  who.user_id = session.user_id;
  who.session_id = session.session_ref;
  who.kind = CredentialKind::Session;
  who.expires_at = session.expires_at;
  who.issued_at = session.created_at;
  return who;
}

void checkSession(SessionLookup& sessions, std::string session_id, std::string csrf, SessionCheckDone done) {
  sessions.find(std::move(session_id), [csrf = std::move(csrf), done = std::move(done)](
                                           boost::system::result<std::optional<SessionInfo>> found) {
    if (!found) return done(found.error());
    if (!*found) return done(make_error_code(Errc::not_found));
    if (!constantTimeEquals((*found)->csrf_token, csrf)) return done(make_error_code(Errc::csrf_mismatch));
    done(std::move(**found));
  });
}

}  // namespace sg::auth
