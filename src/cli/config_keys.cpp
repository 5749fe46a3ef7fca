#include "cli/config_keys.hpp"

#include "cluster/redis_url.hpp"
#include "core/text.hpp"
#include "obs/redact.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace sg::cli {
namespace {

struct Range {
  double min = std::numeric_limits<double>::lowest();
  double max = std::numeric_limits<double>::max();
};
using Choices = std::vector<std::string_view>;

std::string rangeError(const Range& r) {
  auto fmt = [](double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  return "must be between " + fmt(r.min) + " and " + fmt(r.max);
}

template <typename T>
std::string parseNumber(std::string_view text, T& out, const Range& r) {
  std::string t(trim(text));
  T value{};
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (ec != std::errc() || end != t.data() + t.size() || t.empty()) return "expected a number, got '" + t + "'";
  // Written so that NaN (which from_chars accepts) fails too.
  if (!(static_cast<double>(value) >= r.min && static_cast<double>(value) <= r.max)) return rangeError(r);
  out = value;
  return {};
}

std::string parse(std::string_view text, int& out, const Range& r, const Choices&) { return parseNumber(text, out, r); }
std::string parse(std::string_view text, double& out, const Range& r, const Choices&) { return parseNumber(text, out, r); }
std::string parse(std::string_view text, std::size_t& out, const Range& r, const Choices&) {
  return parseNumber(text, out, r);
}
std::string parse(std::string_view text, bool& out, const Range&, const Choices&) {
  std::string t(trim(text));
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  if (t == "true" || t == "1" || t == "yes" || t == "on") out = true;
  else if (t == "false" || t == "0" || t == "no" || t == "off") out = false;
  else return "expected true or false, got '" + t + "'";
  return {};
}
std::string parse(std::string_view text, std::string& out, const Range&, const Choices& choices) {
  std::string t(trim(text));
  if (!choices.empty() && std::find(choices.begin(), choices.end(), t) == choices.end()) {
    std::string list;
    for (auto c : choices) list += (list.empty() ? "" : ", ") + std::string(c);
    return "expected one of " + list + ", got '" + t + "'";
  }
  out = std::move(t);
  return {};
}
std::string parse(std::string_view text, std::vector<std::string>& out, const Range&, const Choices&) {
  out.clear();
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string item(trim(text.substr(0, comma)));
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return {};
}

std::string show(int v) { return std::to_string(v); }
std::string show(std::size_t v) { return std::to_string(v); }
std::string show(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}
std::string show(bool v) { return v ? "true" : "false"; }
std::string show(const std::string& v) { return v; }
std::string show(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

template <typename S, typename T>
ConfigKey key(std::string name, S Config::*section, T S::*field, std::string help, Range range = {},
              Choices choices = {}) {
  ConfigKey k;
  k.name = std::move(name);
  k.help = std::move(help);
  k.is_list = std::is_same_v<T, std::vector<std::string>>;
  k.set = [=](Config& c, std::string_view text) { return parse(text, c.*section.*field, range, choices); };
  k.show = [=](const Config& c) { return show(c.*section.*field); };
  return k;
}

// cluster.redis_url: checked when set (so a bad URL names the key), and shown by
// `serve --help` without its password.
ConfigKey redisUrlKey() {
  ConfigKey k;
  k.name = "cluster.redis_url";
  k.help = "Redis of a cluster of nodes, redis://[user:password@]host:port/db (tickets, one-time markers, "
           "revocations, pub/sub between nodes, per-user socket caps, login throttles); empty = a single node";
  k.set = [](Config& c, std::string_view text) -> std::string {
    std::string t(trim(text));
    std::string error;
    if (!t.empty() && !cluster::parseRedisUrl(t, &error)) return error;
    c.cluster.redis_url = std::move(t);
    return {};
  };
  k.show = [](const Config& c) { return cluster::redactUrlPassword(c.cluster.redis_url); };
  return k;
}

// store.database_url: a URL that carries a password is shown by urlForLog, and anything but
// a postgresql:// URL is refused with a message that does not repeat it.
ConfigKey databaseUrlKey() {
  ConfigKey k = key("store.database_url", &Config::store, &StoreConfig::database_url,
                    "PostgreSQL for accounts and sessions, postgresql://user:password@host:port/db (migrated at "
                    "start); empty = SQLite in server.data_dir");
  k.set = [](Config& c, std::string_view text) -> std::string {
    std::string t(trim(text));
    if (!t.empty() && !t.starts_with("postgresql://") && !t.starts_with("postgres://")) {
      return "expected a postgresql:// URL, got '" + obs::urlForLog(t) + "'";
    }
    c.store.database_url = std::move(t);
    return {};
  };
  k.show = [](const Config& c) { return obs::urlForLog(c.store.database_url); };
  return k;
}

std::vector<ConfigKey> buildKeys() {
  using C = Config;
  constexpr double kMaxInt = std::numeric_limits<int>::max();
  return {
      key("server.listen", &C::server, &ServerConfig::listen, "address to listen on, HOST:PORT (port 0: any free port)"),
      key("server.data_dir", &C::server, &ServerConfig::data_dir, "directory for the database and the generated secret key"),
      key("server.threads", &C::server, &ServerConfig::threads, "shards (event-loop threads); 0 = one per core", {0, 256}),
      key("server.api_keys", &C::server, &ServerConfig::api_keys, "server API keys (Authorization: Bearer) for backends"),
      key("server.shutdown_grace_ms", &C::server, &ServerConfig::shutdown_grace_ms,
          "time sockets get to close on SIGTERM", {0, 60000}),
      key("server.tls_cert_file", &C::server, &ServerConfig::tls_cert_file,
          "PEM certificate (then its chain) to serve HTTPS and wss:// directly; needs server.tls_key_file; "
          "re-read on SIGHUP"),
      key("server.tls_key_file", &C::server, &ServerConfig::tls_key_file,
          "PEM private key (unencrypted) of server.tls_cert_file; re-read on SIGHUP"),
      key("server.hsts_max_age_s", &C::server, &ServerConfig::hsts_max_age_s,
          "Strict-Transport-Security max-age sent under TLS; 0 = no header", {0, 2 * 365 * 86400.0}),

      key("limits.header_bytes", &C::limits, &LimitsConfig::header_bytes, "HTTP request header bytes", {512, 1 << 20}),
      key("limits.body_bytes", &C::limits, &LimitsConfig::body_bytes, "HTTP request body bytes (API)", {0, 64 << 20}),
      key("limits.request_timeout_s", &C::limits, &LimitsConfig::request_timeout_s,
          "seconds to send a request's headers and body, or finish the upgrade", {1, 3600}),
      key("limits.handshakes_per_ip_per_s", &C::limits, &LimitsConfig::handshakes_per_ip_per_s,
          "WebSocket handshakes per client IP per second", {0.01, 1e6}),
      key("limits.handshake_burst_per_ip", &C::limits, &LimitsConfig::handshake_burst_per_ip,
          "handshake burst per client IP", {1, kMaxInt}),
      key("limits.sockets_per_ip", &C::limits, &LimitsConfig::sockets_per_ip, "concurrent sockets per client IP", {1, kMaxInt}),
      key("limits.sockets_per_user", &C::limits, &LimitsConfig::sockets_per_user, "concurrent sockets per user", {1, kMaxInt}),
      key("limits.sockets_total", &C::limits, &LimitsConfig::sockets_total, "concurrent sockets in total", {1, kMaxInt}),
      key("limits.pending_auth_per_ip", &C::limits, &LimitsConfig::pending_auth_per_ip,
          "concurrent sockets per IP still waiting to authenticate by first message", {1, kMaxInt}),
      key("limits.frame_bytes_before_auth", &C::limits, &LimitsConfig::frame_bytes_before_auth,
          "largest inbound message before authentication", {64, 1 << 20}),
      key("limits.frame_bytes", &C::limits, &LimitsConfig::frame_bytes, "largest inbound message", {64, 64 << 20}),
      key("limits.messages_per_s", &C::limits, &LimitsConfig::messages_per_s, "inbound messages per socket per second",
          {0.01, 1e6}),
      key("limits.message_burst", &C::limits, &LimitsConfig::message_burst, "inbound message burst per socket", {1, kMaxInt}),
      key("limits.topics_per_socket", &C::limits, &LimitsConfig::topics_per_socket,
          "channels one socket may join; as many GraphQL subscriptions besides", {1, 100000}),
      key("limits.outbound_queue_bytes", &C::limits, &LimitsConfig::outbound_queue_bytes,
          "bytes queued to one socket before it is closed as slow_consumer", {1024, 1 << 30}),
      key("limits.heartbeat_timeout_s", &C::limits, &LimitsConfig::heartbeat_timeout_s,
          "close a socket silent for this many seconds", {1, 86400}),
      key("limits.password_hashes_per_ip", &C::limits, &LimitsConfig::password_hashes_per_ip,
          "logins and registrations from one client IP waiting for or in password hashing (429 beyond)", {1, 1000}),
      key("limits.password_hashes_pending", &C::limits, &LimitsConfig::password_hashes_pending,
          "logins and registrations waiting for or in password hashing in all (503 beyond)", {1, 100000}),
      key("limits.tickets_per_s_per_ip", &C::limits, &LimitsConfig::tickets_per_s_per_ip,
          "tickets minted per second from one client IP, burst 4x (429 beyond; API-key mints exempt)", {0.01, 1e6}),
      key("limits.tickets_per_s_per_user", &C::limits, &LimitsConfig::tickets_per_s_per_user,
          "tickets minted per second for one user, burst 4x (429 beyond; API-key mints exempt)", {0.01, 1e6}),
      key("limits.live_tickets_per_user", &C::limits, &LimitsConfig::live_tickets_per_user,
          "tickets of one user minted within the ticket TTL, used or not (429 beyond)", {1, 1e6}),
      key("limits.login_attempts_per_ip", &C::limits, &LimitsConfig::login_attempts_per_ip,
          "login attempts per client IP, refilled over a minute (429 beyond)", {1, 1e6}),
      key("limits.login_attempts_per_account_and_ip", &C::limits, &LimitsConfig::login_attempts_per_account_and_ip,
          "login attempts per account from one client IP, refilled over ten minutes (429 beyond)", {1, 1e6}),
      key("limits.login_attempts_per_account", &C::limits, &LimitsConfig::login_attempts_per_account,
          "login attempts per account from addresses it has not signed in from before, refilled over an hour "
          "(429 beyond; the account's recent sign-in addresses are exempt)",
          {1, 1e6}),
      key("limits.registrations_per_ip", &C::limits, &LimitsConfig::registrations_per_ip,
          "account registrations per client IP, refilled over an hour (429 beyond)", {1, 1e6}),

      key("auth.allowed_origins", &C::auth, &AuthConfig::allowed_origins,
          "allowed Origins: exact (https://app.example.com) or wildcard (https://*.example.com)"),
      key("auth.allow_anonymous", &C::auth, &AuthConfig::allow_anonymous,
          "accept sockets that present no credential (they may join public topics only)"),
      key("auth.query_token", &C::auth, &AuthConfig::query_token, "accept a JWT in ?token= (URLs end up in logs)"),
      key("auth.reject_with", &C::auth, &AuthConfig::reject_with,
          "refuse handshakes with a connect_error message or a plain HTTP status; auto: the message only for clients "
          "that ask for it with ?sockguard_refusal=connect_error (a stock client would reconnect at once)",
          {}, {"auto", "message", "http"}),
      key("auth.ticket_ttl_s", &C::auth, &AuthConfig::ticket_ttl_s, "one-time ticket lifetime", {1, 60}),
      key("auth.ticket_store_max", &C::auth, &AuthConfig::ticket_store_max, "live tickets held at most", {1, 1e9}),
      key("auth.auth_timeout_s", &C::auth, &AuthConfig::auth_timeout_s, "seconds a bare socket has to push `auth`",
          {1, 600}),
      key("auth.trusted_proxies", &C::auth, &AuthConfig::trusted_proxies,
          "proxy addresses or CIDRs whose forwarding header (auth.forwarded_header) is believed"),
      key("auth.forwarded_header", &C::auth, &AuthConfig::forwarded_header,
          "the one header the trusted proxies write (client address, and https via X-Forwarded-Proto or "
          "Forwarded proto=); every other forwarding header is ignored",
          {}, {"x-forwarded-for", "forwarded", "x-real-ip"}),
      key("auth.redact_params", &C::auth, &AuthConfig::redact_params,
          "extra credential parameter names: logged as name=[REDACTED], even when in log.query_params"),
      key("auth.jwt_alg", &C::auth, &AuthConfig::jwt_alg, "the one JWT algorithm accepted", {},
          {"HS256", "HS384", "HS512", "RS256", "ES256", "EdDSA"}),
      key("auth.jwt_secret", &C::auth, &AuthConfig::jwt_secret, "HS* secret; empty = the generated secret key"),
      key("auth.jwt_public_key_file", &C::auth, &AuthConfig::jwt_public_key_file, "PEM public key for RS256/ES256/EdDSA"),
      key("auth.jwt_private_key_file", &C::auth, &AuthConfig::jwt_private_key_file,
          "PEM private key, only for `sockguard token` with RS256/ES256/EdDSA"),
      key("auth.jwt_audience", &C::auth, &AuthConfig::jwt_audience, "required `aud` (unchecked when empty)"),
      key("auth.jwt_issuer", &C::auth, &AuthConfig::jwt_issuer, "required `iss` (unchecked when empty)"),
      key("auth.jwt_leeway_s", &C::auth, &AuthConfig::jwt_leeway_s, "clock skew allowed on exp/nbf/iat", {0, 600}),
      key("auth.jwt_max_age_s", &C::auth, &AuthConfig::jwt_max_age_s, "longest token lifetime accepted (exp - iat)",
          {1, 365 * 86400.0}),

      key("channels.public_topics", &C::channels, &ChannelsConfig::public_topics,
          "topic patterns anyone may join, anonymous sockets included"),
      key("channels.presence_topics", &C::channels, &ChannelsConfig::presence_topics,
          "topic patterns with Phoenix Presence: joiners get presence_state, everyone presence_diff (e.g. room:*)"),

      key("log.level", &C::log, &LogConfig::level, "log level", {}, {"trace", "debug", "info", "warn", "error", "off"}),
      key("log.format", &C::log, &LogConfig::format, "log line format", {}, {"text", "json"}),
      key("log.query_params", &C::log, &LogConfig::query_params,
          "query parameter names logged with their values besides vsn ([A-Za-z0-9._-]); every other parameter "
          "is logged as [REDACTED]=[REDACTED]"),

      key("app.user_count_interval_ms", &C::app, &AppConfig::user_count_interval_ms,
          "how often user_count is pushed to each user", {100, 86'400'000}),
      key("app.cookie_secure", &C::app, &AppConfig::cookie_secure,
          "Secure session cookie: auto (secure requests get __Host-sockguard_session, Secure), always (the plain "
          "cookie is Secure too: TLS ends at a proxy that is not configured as trusted)",
          {}, {"auto", "always"}),
      key("app.session_ttl_s", &C::app, &AppConfig::session_ttl_s, "session lifetime", {60, 365 * 86400.0}),

      redisUrlKey(),
      key("cluster.node_name", &C::cluster, &ClusterConfig::node_name,
          "this node's name in logs and /metrics labels; empty = its listen address (host:port)"),

      key("longpoll.enabled", &C::longpoll, &LongPollConfig::enabled,
          "serve Phoenix long-poll at /socket/longpoll (the stock client's LongPoll fallback)"),
      key("longpoll.poll_timeout_ms", &C::longpoll, &LongPollConfig::poll_timeout_ms,
          "how long a long-poll GET waits for messages before it is answered 204", {100, 60'000}),
      key("longpoll.idle_timeout_s", &C::longpoll, &LongPollConfig::idle_timeout_s,
          "end a long-poll session with no poll in flight for this many seconds", {1, 3600}),

      databaseUrlKey(),
  };
}

}  // namespace

std::string ConfigKey::flagName() const {
  std::string n = name.starts_with("server.") ? name.substr(7) : name;
  std::replace(n.begin(), n.end(), '.', '-');
  std::replace(n.begin(), n.end(), '_', '-');
  return "--" + n;
}

std::string ConfigKey::envName() const {
  std::string n = "SOCKGUARD_" + name;
  std::replace(n.begin(), n.end(), '.', '_');
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::toupper(c); });
  return n;
}

const std::vector<ConfigKey>& configKeys() {
  static const std::vector<ConfigKey> keys = buildKeys();
  return keys;
}

const ConfigKey* findConfigKey(std::string_view name) {
  for (const auto& k : configKeys())
    if (k.name == name) return &k;
  return nullptr;
}

}  // namespace sg::cli
