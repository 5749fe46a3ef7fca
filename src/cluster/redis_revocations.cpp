#include "cluster/redis_revocations.hpp"

#include "core/errors.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

namespace sg::cluster {

namespace {

using Ms = std::chrono::milliseconds;

std::string sessionKey(const std::string& ref) { return "sg:rev:s:" + ref; }
std::string userKey(const std::string& user) { return "sg:rev:u:" + user; }
std::int64_t millis(auth::Revocations::TimePoint t) { return std::chrono::duration_cast<Ms>(t.time_since_epoch()).count(); }

}  // namespace

void RedisRevocations::announce(const std::vector<std::string>& record, const RevocationAnnouncement& a) {
  if (on_revoked_) on_revoked_(a.user_id, a.session_ref);
  redis_.pipeline({record, {"PUBLISH", std::string(kControlChannel), encodeRevocation(a)}}, [who = a.user_id](RedisResult r) {
    // The local sockets are closed; the other nodes' are not, and the record may be
    // missing. Logged for the operator: the caller (logout) has already answered.
    if (!r || r->isError()) spdlog::error("redis: a revocation of user {} could not reach the other nodes", who);
  });
}

void RedisRevocations::revokeSession(const std::string& user_id, const std::string& session_ref, TimePoint until) {
  if (session_ref.empty()) return;
  auto ttl = std::max<std::int64_t>(1, millis(until) - millis(clock_.now()));
  announce({"SET", sessionKey(session_ref), "1", "PX", std::to_string(ttl)}, {user_id, session_ref});
}

void RedisRevocations::revokeUser(const std::string& user_id, TimePoint at, std::chrono::seconds keep_for) {
  auto ttl = std::max<std::int64_t>(1, millis(at + keep_for) - millis(clock_.now()));
  announce({"SET", userKey(user_id), std::to_string(millis(at)), "PX", std::to_string(ttl)}, {user_id, ""});
}

void RedisRevocations::check(const Identity& who, CheckDone done) const {
  if (who.anonymous()) return done(false);
  std::vector<std::string> args{"MGET", userKey(who.user_id)};
  if (!who.session_id.empty()) args.push_back(sessionKey(who.session_id));
  redis_.command(std::move(args), [issued = who.issued_at, done = std::move(done)](RedisResult r) {
    if (!r || r->type != RedisReply::Type::Array || r->elements.empty()) return done(boost::system::result<bool>(boost::system::in_place_error, Errc::unavailable));
    if (r->elements.size() > 1 && !r->elements[1].isNil()) return done(true);
    const auto& user = r->elements[0];
    if (user.isNil()) return done(false);
    std::int64_t at = 0;
    auto [end, ec] = std::from_chars(user.str.data(), user.str.data() + user.str.size(), at);
    if (ec != std::errc()) return done(true);  // unreadable: the record exists, so revoked
    // Without a known issue time a credential cannot prove it came after the revocation.
    done(!issued || millis(*issued) <= at);
  });
}

void RedisRevocations::onAnnouncement(std::string_view message) const {
  auto a = decodeRevocation(message);
  if (!a) return spdlog::warn("redis: an announcement on {} this node cannot read", kControlChannel);
  if (on_revoked_) on_revoked_(a->user_id, a->session_ref);
}

}  // namespace sg::cluster
