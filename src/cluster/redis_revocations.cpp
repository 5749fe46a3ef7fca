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

std::string sessionOrUserKey(const RevocationAnnouncement& a) {
  return a.session_ref.empty() ? userKey(a.user_id) : sessionKey(a.session_ref);
}

}  // namespace

void RedisRevocations::announce(Unsent revocation, bool local) {
  if (local && on_revoked_) on_revoked_(revocation.what.user_id, revocation.what.session_ref);
  send(std::move(revocation));
}

void RedisRevocations::send(Unsent revocation) {
  auto ttl = std::max<std::int64_t>(1, millis(revocation.until) - millis(clock_.now()));
  auto value = revocation.user_at_ms.empty() ? std::string("1") : revocation.user_at_ms;
  auto message = encodeRevocation(revocation.what);
  std::vector<std::vector<std::string>> commands{
      {"SET", sessionOrUserKey(revocation.what), value, "PX", std::to_string(ttl)},
      {"XADD", std::string(kRevocationLog), "MAXLEN", "~", "10000", "*", "m", message},
      {"PUBLISH", std::string(kControlChannel), message}};
  redis_.pipeline(std::move(commands), [this, revocation = std::move(revocation)](RedisResult r) mutable {
    if (r && !r->isError()) return;
    // This node's sockets are closed; the other nodes' will be when Redis is back.
    std::lock_guard lock(unsent_mutex_);
    if (unsent_.size() < kMaxUnsent) {
      unsent_.push_back(std::move(revocation));
      if (unsent_.size() == 1) spdlog::warn("redis: revocations wait for Redis to reach the other nodes");
    } else {
      spdlog::error("redis: a revocation of user {} could not reach the other nodes", revocation.what.user_id);
    }
  });
}

void RedisRevocations::sendUnsent() {
  std::vector<Unsent> list;
  {
    std::lock_guard lock(unsent_mutex_);
    list.swap(unsent_);
  }
  if (!list.empty()) spdlog::info("redis: sending {} revocations made while Redis was down", list.size());
  for (auto& r : list) send(std::move(r));
}

void RedisRevocations::revokeSession(const std::string& user_id, const std::string& session_ref, TimePoint until) {
  if (session_ref.empty()) return;
  announce({{user_id, session_ref}, until, ""}, true);
}

void RedisRevocations::revokeUser(const std::string& user_id, TimePoint at, std::chrono::seconds keep_for) {
  announce({{user_id, ""}, at + keep_for, std::to_string(millis(at))}, true);
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

void RedisRevocations::subscriptionsLost() {
  if (deaf_since_ms_ == 0) deaf_since_ms_ = millis(clock_.now());
}

void RedisRevocations::replayMissed() {
  if (deaf_since_ms_ == 0) return;
  // From a little before the drop: the last announcements before it may not have reached
  // this node either, and the nodes' clocks and Redis's differ a little. Replaying one
  // twice only closes sockets that are closed already.
  auto from = std::to_string(std::max<std::int64_t>(0, deaf_since_ms_ - kReplayMarginMs));
  deaf_since_ms_ = 0;
  redis_.command({"XRANGE", std::string(kRevocationLog), from, "+"}, [this](RedisResult r) {
    if (!r || r->type != RedisReply::Type::Array) {
      return spdlog::error("redis: revocations announced while this node could not hear them were not read");
    }
    std::size_t replayed = 0;
    for (const auto& entry : r->elements) {
      // [id, [field, value, ...]]
      if (entry.elements.size() != 2 || entry.elements[1].elements.size() < 2) continue;
      onAnnouncement(entry.elements[1].elements[1].str);
      ++replayed;
    }
    if (replayed) spdlog::info("redis: replayed {} revocations announced while this node could not hear them", replayed);
  });
}

void RedisRevocations::onAnnouncement(std::string_view message) const {
  auto a = decodeRevocation(message);
  if (!a) return spdlog::warn("redis: an announcement on {} this node cannot read", kControlChannel);
  if (on_revoked_) on_revoked_(a->user_id, a->session_ref);
}

}  // namespace sg::cluster
