#include "auth/connection_auth.hpp"

#include <atomic>
#include <cstdint>

namespace sg::auth {

ConnectionAuth::ConnectionAuth(const Deps& deps, Admitted admitted, std::shared_ptr<Admission::Lease> lease,
                               const Presentation& from, std::string_view host, bool secure, SteadyTime connected_at)
    : deps_(deps), identity_(std::move(admitted.identity)), pending_(admitted.awaits_first_message), secure_(secure),
      lease_(std::move(lease)), from_({from.client_ip, from.origin, host}), connected_at_(connected_at) {}

void ConnectionAuth::authenticate(std::string_view token, Post post, AuthenticateDone done) {
  // The check runs within authenticateWith, while this object (whose strings `from` views)
  // is alive; a store that answers later keeps its own copies.
  authenticateWith([&tokens = deps_.tokens, token = std::string(token), from = presentation()](TokenVerifier::Done verdict) {
    tokens.verify(token, from, std::move(verdict));
  }, std::move(post), std::move(done));
}

void ConnectionAuth::authenticateWith(Check check, Post post, AuthenticateDone done) {
  if (!identity_.anonymous() || in_flight_) return done(Refusal{CloseReason::PolicyViolation, std::nullopt});
  in_flight_ = true;
  // The verdict may come after the connection (and this object) has gone: only `post`,
  // which knows, may be touched before it runs the continuation.
  check([this, post = std::move(post), done = std::move(done)](Verdict<Identity> verdict) mutable {
    post([this, post, verdict = std::move(verdict), done = std::move(done)]() mutable {
      if (!verdict) {
        in_flight_ = false;
        return done(verdict.error());
      }
      if (lease_ && !lease_->bindUser(verdict->user_id)) {
        in_flight_ = false;
        return done(Refusal{CloseReason::RateLimited, 10'000});
      }
      if (lease_ && lease_->needsSharedCount()) {
        // A cluster counts the user's sockets on every node; the answer comes back
        // through `post`, which drops it if the connection has gone meanwhile.
        return Admission::Lease::countShared(lease_, [this, post, identity = std::move(*verdict),
                                    done = std::move(done)](std::optional<Refusal> refused) mutable {
          post([this, identity = std::move(identity), done = std::move(done), refused]() mutable {
            in_flight_ = false;
            if (refused) return done(*refused);
            admit(std::move(identity), done);
          });
        });
      }
      in_flight_ = false;
      admit(std::move(*verdict), done);
    });
  });
}

void ConnectionAuth::admit(Identity identity, AuthenticateDone& done) {
  if (lease_) lease_->authenticated();
  identity_ = std::move(identity);
  pending_ = false;
  done(&identity_);
}

void ConnectionAuth::refresh(std::string_view token, Post post, RefreshDone done) {
  if (identity_.anonymous()) return done(std::string_view("not authenticated"));
  if (in_flight_) return done(std::string_view("refresh in progress"));
  in_flight_ = true;
  deps_.tokens.verify(token, presentation(), [this, post = std::move(post), done = std::move(done)](Verdict<Identity> verdict) mutable {
    post([this, verdict = std::move(verdict), done = std::move(done)]() mutable {
      in_flight_ = false;
      if (!verdict) return done(closeInfo(verdict.error().reason).name);
      // A refresh extends this user's identity; it never switches users.
      if (verdict->user_id != identity_.user_id) return done(std::string_view("user_mismatch"));
      identity_.expires_at = verdict->expires_at;
      done(identity_.expires_at);
    });
  });
}

void ConnectionAuth::confirm(Post post, std::function<void(Verdict<void>)> done) {
  if (identity_.anonymous()) return done(Verdict<void>());
  // Records in memory: the verdict now, with nothing to share with a later answer.
  if (auto now = deps_.tokens.checkRevocationNow(identity_)) return done(*now);
  // Records that may wait (Redis) can still answer within the call: that verdict is acted
  // on here, after the check has returned, with no trip through the event loop. A later
  // one (from Redis's thread) goes through `post`, which drops it if the connection has
  // gone meanwhile. Which of the two happened is settled by one atomic exchange on each side.
  enum Stage : std::uint8_t { InCheck, Returned, Answered };
  struct Pending {
    std::atomic<Stage> stage{InCheck};
    std::optional<Verdict<Identity>> verdict;  // written before `stage` becomes Answered
    std::function<void(Verdict<void>)> done;
    void answer() { done(*verdict ? Verdict<void>() : verdict->error()); }
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  deps_.tokens.checkRevocation(identity_, [pending, post = std::move(post)](Verdict<Identity> verdict) {
    pending->verdict = std::move(verdict);
    if (pending->stage.exchange(Answered) == InCheck) return;  // confirm() answers below
    post([pending] { pending->answer(); });
  });
  if (pending->stage.exchange(Returned) == Answered) pending->answer();
}

std::optional<CloseReason> ConnectionAuth::deadlinePassed(SteadyTime now) const {
  if (pending_ && now - connected_at_ > deps_.auth_timeout) return CloseReason::AuthTimeout;
  // The credential behind the identity has run out and no refresh came in time.
  if (identity_.expires_at && *identity_.expires_at <= deps_.clock.now()) return CloseReason::TokenExpired;
  return std::nullopt;
}

}  // namespace sg::auth
