#include "cluster/redis_one_time_markers.hpp"

#include "cluster/ticket_wire.hpp"
#include "core/errors.hpp"

namespace sg::cluster {

void RedisOneTimeMarkers::markFirstUse(std::string_view token_id, std::chrono::system_clock::time_point until,
                                       Done done) {
  auto ttl = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock_.now());
  if (ttl.count() < 1) ttl = std::chrono::milliseconds(1);
  redis_.command({"SET", markerKey(token_id), "1", "NX", "PX", std::to_string(ttl.count())},
                 [done = std::move(done)](RedisResult r) {
                   if (!r || r->isError()) return done(boost::system::result<bool>(boost::system::in_place_error, Errc::unavailable));
                   done(!r->isNil());  // OK: first use; nil: the mark was there
                 });
}

}  // namespace sg::cluster
