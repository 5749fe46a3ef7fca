#include "cluster/redis_login_throttle.hpp"

#include "core/errors.hpp"

#include <spdlog/spdlog.h>

namespace sg::cluster {

namespace {

// The windows of auth::LoginThrottle: N attempts refilled over these many seconds.
constexpr int kIpWindowS = 60, kPairWindowS = 600, kAccountWindowS = 3600;

std::string ipKey(std::string_view ip) { return "sg:login:ip:" + std::string(ip); }
std::string pairKey(std::string_view account, std::string_view ip) {
  return "sg:login:pair:" + std::string(account) + "\n" + std::string(ip);
}
std::string accountKey(std::string_view account) { return "sg:login:acct:" + std::string(account); }
std::string knownKey(std::string_view account) { return "sg:login:known:" + std::string(account); }

// A bucket is a hash {t: tokens, u: updated ms}; absent = full. Rates in tokens per ms.
constexpr const char* kBuckets = R"lua(
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function level(key, rate, burst, now)
  local b = redis.call('HMGET', key, 't', 'u')
  local t = tonumber(b[1])
  if not t then return burst end
  return math.min(burst, t + (now - tonumber(b[2])) * rate)
end
local function store(key, t, rate, burst, now)
  redis.call('HSET', key, 't', tostring(t), 'u', tostring(now))
  redis.call('PEXPIRE', key, math.ceil((burst - t) / rate) + 1000)
end
)lua";

// KEYS: ip bucket, pair bucket, account bucket, known addresses.
// ARGV: ip; then rate and burst of the ip, pair and account buckets.
// Returns 0 (admitted, one token taken from each bucket that applies) or the wait in ms
// (nothing taken: a refused attempt costs nothing).
const std::string kAdmit = std::string(kBuckets) + R"lua(
local now = now_ms()
local known = false
for _, a in ipairs(redis.call('LRANGE', KEYS[4], 0, -1)) do
  if a == ARGV[1] then known = true end
end
local n = known and 2 or 3
local levels = {}
for i = 1, n do
  local rate, burst = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  local t = level(KEYS[i], rate, burst, now)
  if t < 1 then return math.ceil((1 - t) / rate) end
  levels[i] = t
end
for i = 1, n do store(KEYS[i], levels[i] - 1, tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1]), now) end
return 0
)lua";

// KEYS: pair bucket, account bucket, known addresses. ARGV: ip, pair rate, burst,
// account rate, burst, how long addresses are known (ms), how many.
const std::string kSucceeded = std::string(kBuckets) + R"lua(
local now = now_ms()
local known = false
for _, a in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
  if a == ARGV[1] then known = true end
end
local function refund(key, rate, burst)
  local t = level(key, rate, burst, now)
  if t < burst then store(key, math.min(burst, t + 1), rate, burst, now) end
end
refund(KEYS[1], tonumber(ARGV[2]), tonumber(ARGV[3]))
if not known then refund(KEYS[2], tonumber(ARGV[4]), tonumber(ARGV[5])) end
redis.call('LREM', KEYS[3], 0, ARGV[1])
redis.call('RPUSH', KEYS[3], ARGV[1])
redis.call('LTRIM', KEYS[3], -tonumber(ARGV[7]), -1)
redis.call('PEXPIRE', KEYS[3], ARGV[6])
return 0
)lua";

std::string rate(int attempts, int window_s) { return std::to_string(static_cast<double>(attempts) / (window_s * 1000.0)); }

}  // namespace

void RedisLoginThrottle::admitAttempt(std::string_view account, std::string_view ip, AdmitDone done) {
  redis_.command({"EVAL", kAdmit, "4", ipKey(ip), pairKey(account, ip), accountKey(account), knownKey(account),
                  std::string(ip), rate(limits_.per_ip, kIpWindowS), std::to_string(limits_.per_ip),
                  rate(limits_.per_account_and_ip, kPairWindowS), std::to_string(limits_.per_account_and_ip),
                  rate(limits_.per_account, kAccountWindowS), std::to_string(limits_.per_account)},
                 [done = std::move(done)](RedisResult r) {
                   using Answer = boost::system::result<std::optional<std::chrono::milliseconds>>;
                   if (!r || r->type != RedisReply::Type::Integer) {
                     if (r && r->isError()) spdlog::warn("redis: login throttle script failed: {}", r->str);
                     return done(Answer(boost::system::in_place_error, Errc::unavailable));
                   }
                   if (r->integer <= 0) return done(std::optional<std::chrono::milliseconds>{});
                   done(std::optional(std::chrono::milliseconds(r->integer)));
                 });
}

void RedisLoginThrottle::succeeded(std::string_view account, std::string_view ip) {
  auto known_ms = std::chrono::duration_cast<std::chrono::milliseconds>(kKnownFor).count();
  redis_.command({"EVAL", kSucceeded, "3", pairKey(account, ip), accountKey(account), knownKey(account),
                  std::string(ip), rate(limits_.per_account_and_ip, kPairWindowS),
                  std::to_string(limits_.per_account_and_ip), rate(limits_.per_account, kAccountWindowS),
                  std::to_string(limits_.per_account), std::to_string(known_ms),
                  std::to_string(auth::LoginThrottle::kAddressesPerAccount)},
                 [](RedisResult) {});
}

}  // namespace sg::cluster
