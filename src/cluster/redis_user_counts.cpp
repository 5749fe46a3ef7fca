#include "cluster/redis_user_counts.hpp"

#include "core/errors.hpp"

#include <spdlog/spdlog.h>

namespace sg::cluster {

namespace {

const std::string kNodePrefix = "sg:node:";
std::string userKey(const std::string& user) { return "sg:us:" + user; }

// KEYS[1] user hash; ARGV: node id, cap, liveness key prefix, hash TTL in ms.
constexpr const char* kAcquire = R"lua(
local fields = redis.call('HGETALL', KEYS[1])
local total = 0
for i = 1, #fields, 2 do
  local node = fields[i]
  if node == ARGV[1] or redis.call('EXISTS', ARGV[3] .. node) == 1 then
    total = total + tonumber(fields[i + 1])
  else
    redis.call('HDEL', KEYS[1], node)
  end
end
if total >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
)lua";

// KEYS[1] user hash; ARGV: node id.
constexpr const char* kRelease = R"lua(
local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return n
)lua";

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()); }

}  // namespace

void RedisUserCounts::acquire(const std::string& user_id, int cap, Done done) {
  redis_.command({"EVAL", kAcquire, "1", userKey(user_id), node_id_, std::to_string(cap), kNodePrefix,
                  ms(std::chrono::duration_cast<std::chrono::milliseconds>(kUserTtl))},
                 [done = std::move(done)](RedisResult r) {
                   if (!r || r->type != RedisReply::Type::Integer) {
                     if (r && r->isError()) spdlog::warn("redis: socket count script failed: {}", r->str);
                     return done(boost::system::result<bool>(boost::system::in_place_error, Errc::unavailable));
                   }
                   done(r->integer == 1);
                 });
}

void RedisUserCounts::release(const std::string& user_id) {
  redis_.command({"EVAL", kRelease, "1", userKey(user_id), node_id_}, [this, user_id](RedisResult r) {
    if (r && !r->isError()) return;
    std::lock_guard lock(mutex_);
    dirty_.insert(user_id);
  });
}

void RedisUserCounts::heartbeat() {
  redis_.command({"SET", kNodePrefix + node_id_, "1", "PX", ms(kLiveness)}, [](RedisResult) {});
}

void RedisUserCounts::resync() {
  std::set<std::string> dirty;
  {
    std::lock_guard lock(mutex_);
    dirty.swap(dirty_);
  }
  std::vector<std::vector<std::string>> commands{{"SET", kNodePrefix + node_id_, "1", "PX", ms(kLiveness)}};
  auto ttl = ms(std::chrono::duration_cast<std::chrono::milliseconds>(kUserTtl));
  for (const auto& [user, n] : local_()) {
    dirty.erase(user);
    commands.push_back({"HSET", userKey(user), node_id_, std::to_string(n)});
    commands.push_back({"PEXPIRE", userKey(user), ttl});
  }
  for (const auto& user : dirty) commands.push_back({"HDEL", userKey(user), node_id_});
  redis_.pipeline(std::move(commands), [this, dirty](RedisResult r) {
    if (r && !r->isError()) return;
    std::lock_guard lock(mutex_);
    dirty_.insert(dirty.begin(), dirty.end());
  });
}

}  // namespace sg::cluster
