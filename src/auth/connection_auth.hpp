#pragma once
// The authentication of one connection for its whole life, whatever protocol it speaks:
// who it acts for, whether it still has to authenticate by message (first-message auth,
// DESIGN §3 (5)), until when its credential holds (live expiry), and the two ways to
// change that: authenticate() a bare connection, refresh() a live one before it expires.
// Protocol sessions own one, feed it their protocol's messages (Phoenix `auth` and
// `refresh_token`, graphql-transport-ws `connection_init`) and map its verdicts to their
// own replies and close codes.
//
// Lives on the connection's shard. Credential checks may answer from another thread;
// their results come back through the `post` each call is given, which runs a task on the
// connection's shard unless the connection has ended meanwhile (it is not kept between
// calls: an idle connection holds no function object for it).
#include "auth/admission.hpp"
#include "auth/connect_authenticator.hpp"
#include "auth/token_verifier.hpp"
#include "core/packed_strings.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace sg::auth {

class ConnectionAuth {
 public:
  using Post = std::function<void(std::function<void()>)>;
  using SteadyTime = std::chrono::steady_clock::time_point;
  using SystemTime = std::chrono::system_clock::time_point;

  // Shared by every connection; a ConnectionAuth keeps a reference (they outlive it).
  struct Deps {
    TokenVerifier& tokens;
    const Clock& clock;
    std::chrono::seconds auth_timeout;  // first-message auth window
  };

  // `host` (the upgrade's Host header) and `secure` (it came over TLS) say how the client
  // reached this server, for the URLs a session hands back (baseUrl); kept with `from`, in
  // one allocation (every idle socket holds them).
  ConnectionAuth(const Deps& deps, Admitted admitted, std::shared_ptr<Admission::Lease> lease,
                 const Presentation& from, std::string_view host, bool secure, SteadyTime connected_at);

  const Identity& identity() const { return identity_; }
  std::string_view clientIp() const { return from_[0]; }
  std::string_view origin() const { return from_[1]; }  // "" when the upgrade had none
  // "ws://host" or "wss://host".
  std::string baseUrl() const { return std::string(secure_ ? "wss://" : "ws://").append(from_[2]); }
  // Still to authenticate by message: only the protocol's auth message may be served.
  bool pending() const { return pending_; }

  // Authentication by message with a bearer token (ticket or JWT), for a bare or anonymous
  // connection (first-message auth). The verdict is the
  // new identity, or why the connection must close (counted as a refusal by the caller).
  using AuthenticateDone = std::function<void(Verdict<const Identity*>)>;
  void authenticate(std::string_view token, Post post, AuthenticateDone done);
  // The same with a credential check of the protocol's own (graphql-transport-ws: the
  // handshake's session cookie with the CSRF token of connection_init). `check` may
  // answer from any thread.
  using Check = std::function<void(TokenVerifier::Done)>;
  void authenticateWith(Check check, Post post, AuthenticateDone done);

  // Extends a live identity with a fresh credential of the same user. The new expiry, or
  // the reason it was refused (a reason name for the reply; the connection stays open).
  using RefreshDone = std::function<void(boost::system::result<std::optional<SystemTime>, std::string_view>)>;
  void refresh(std::string_view token, Post post, RefreshDone done);

  // Called once the connection is registered on its shard: a revocation that raced the
  // handshake is caught here (Revocations). The verdict says whether it may stay.
  void confirm(Post post, std::function<void(Verdict<void>)> done);

  // What ends the connection now, if anything: auth_timeout, token_expired.
  std::optional<CloseReason> deadlinePassed(SteadyTime now) const;

 private:
  // The credential was accepted (and counted): the connection now acts for `identity`.
  void admit(Identity identity, AuthenticateDone& done);

  Presentation presentation() const { return {clientIp(), origin()}; }

  const Deps& deps_;
  Identity identity_;
  bool pending_;
  bool in_flight_ = false;  // one authenticate or refresh at a time
  bool secure_;
  std::shared_ptr<Admission::Lease> lease_;
  PackedStrings<3> from_;  // client address, Origin, Host
  SteadyTime connected_at_;
};

}  // namespace sg::auth
