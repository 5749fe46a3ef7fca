#include "cluster/redis_ticket_store.hpp"

#include "cluster/ticket_wire.hpp"
#include "core/errors.hpp"

#include <spdlog/spdlog.h>

namespace sg::cluster {

void RedisTicketStore::put(const tickets::TicketHash& key, const tickets::TicketClaims& claims, PutDone done) {
  auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(claims.expires_at - clock_.now()) + grace_;
  if (ttl.count() < 1) ttl = std::chrono::milliseconds(1);
  redis_.command({"SET", ticketKey(key), encodeClaims(claims), "NX", "PX", std::to_string(ttl.count())},
                 [done = std::move(done)](RedisResult r) {
                   // A nil reply (the key exists) would be a 256-bit collision: refuse it too.
                   if (!r || r->type != RedisReply::Type::Status) return done(make_error_code(Errc::unavailable));
                   done({});
                 });
}

void RedisTicketStore::take(const tickets::TicketHash& key, TakeDone done) {
  redis_.command({"GETDEL", ticketKey(key)}, [done = std::move(done)](RedisResult r) {
    if (!r || r->isError()) return done(make_error_code(Errc::unavailable));
    if (r->isNil()) return done(std::optional<tickets::TicketClaims>{});
    auto claims = decodeClaims(r->str);
    // Unreadable (another version's format): no ticket, never a guess.
    if (!claims) spdlog::warn("redis: a ticket in a format this node cannot read");
    done(std::move(claims));
  });
}

}  // namespace sg::cluster
