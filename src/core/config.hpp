#pragma once
// Every setting sockguard reads, with its default. The key table in cli/config_keys.cpp
// names each field as `section.key`, documents it and validates its range; this header is
// only the plain data the rest of the server receives.
#include <cstddef>
#include <string>
#include <vector>

namespace sg {

struct ServerConfig {
  std::string listen = "127.0.0.1:4000";   // HOST:PORT; port 0 picks a free one
  std::string data_dir = "var";            // SQLite database and generated secret key
  int threads = 0;                         // shards (io_context threads); 0 = one per core
  std::vector<std::string> api_keys;       // server API keys for /api/broadcast etc.
  int shutdown_grace_ms = 3000;            // time sockets get to close on SIGTERM
  // TLS served directly (HTTPS and wss://): both files or neither. Re-read on SIGHUP.
  std::string tls_cert_file;               // PEM certificate, then its chain (optional)
  std::string tls_key_file;                // PEM private key, unencrypted
  int hsts_max_age_s = 0;                  // Strict-Transport-Security max-age under TLS; 0 = off
};

struct LimitsConfig {
  std::size_t header_bytes = 8 * 1024;            // HTTP request header block
  std::size_t body_bytes = 64 * 1024;             // HTTP request body (API)
  int request_timeout_s = 10;                     // to send headers / finish the upgrade
  double handshakes_per_ip_per_s = 20;            // token bucket refill
  int handshake_burst_per_ip = 40;                // token bucket size
  int sockets_per_ip = 1000;
  int sockets_per_user = 100;
  int sockets_total = 1'000'000;
  int pending_auth_per_ip = 32;                   // bare sockets still to push `auth`
  std::size_t frame_bytes_before_auth = 4 * 1024; // inbound frame before authentication
  std::size_t frame_bytes = 64 * 1024;            // inbound frame after authentication
  double messages_per_s = 50;                     // inbound messages per socket
  // Well above topics_per_socket: an app that joins its channels at connect and pushes
  // once on each (Phoenix has no such limit) must fit in the burst.
  int message_burst = 300;
  int topics_per_socket = 100;
  std::size_t outbound_queue_bytes = 1024 * 1024; // over it: close slow_consumer
  int heartbeat_timeout_s = 60;                   // close a socket silent this long
  int password_hashes_per_ip = 2;                 // logins/registrations waiting or hashed, per IP (429 beyond)
  int password_hashes_pending = 64;               // ...in all (503 beyond)
  double tickets_per_s_per_ip = 20;               // ticket mints per client IP (burst 4x; 429 beyond)
  double tickets_per_s_per_user = 10;             // ticket mints per user (burst 4x; 429 beyond)
  int live_tickets_per_user = 40;                 // tickets of one user minted within the ticket TTL
  int login_attempts_per_ip = 30;                 // per client IP, refilled over a minute
  int login_attempts_per_account_and_ip = 10;     // per (account, client IP), refilled over ten minutes
  int login_attempts_per_account = 50;            // per account from addresses it never signed in from, over an hour
  int registrations_per_ip = 10;                  // account registrations per client IP, refilled over an hour
};

struct AuthConfig {
  std::vector<std::string> allowed_origins;       // exact or https://*.example.com
  bool allow_anonymous = false;                   // sockets without any credential
  bool query_token = false;                       // JWT in ?token= (logs leak URLs)
  std::string reject_with = "auto";               // "auto" (the client says), "message" (connect_error) or "http"
  int ticket_ttl_s = 10;
  std::size_t ticket_store_max = 1'000'000;       // live tickets held at most
  int auth_timeout_s = 5;                         // first-message auth window
  std::vector<std::string> trusted_proxies;       // peers whose forwarding header we believe
  std::string forwarded_header = "x-forwarded-for"; // the one header they write: x-forwarded-for, forwarded, x-real-ip
  std::vector<std::string> redact_params;         // extra query parameter names to redact
  std::string jwt_alg = "HS256";                  // HS256/384/512, RS256, ES256, EdDSA
  std::string jwt_secret;                         // HS*: empty = generated secret key
  std::string jwt_public_key_file;                // RS256/ES256/EdDSA: PEM public key
  std::string jwt_private_key_file;               // for `sockguard token` with asymmetric algs
  std::string jwt_audience;                       // checked when set
  std::string jwt_issuer;                         // checked when set
  int jwt_leeway_s = 30;
  int jwt_max_age_s = 86400;                      // caps any token's lifetime (exp - iat)
};

struct ChannelsConfig {
  // Topic patterns anyone may join, even an anonymous socket (e.g. "room:*").
  std::vector<std::string> public_topics = {"room:*"};
  // Topic patterns with Phoenix Presence (presence_state / presence_diff); none by default:
  // every join and leave there is a broadcast to everyone in the topic.
  std::vector<std::string> presence_topics;
};

struct LogConfig {
  std::string level = "info";   // trace, debug, info, warn, error, off
  std::string format = "text";  // text or json
  std::vector<std::string> query_params;  // query parameters logged with their values, besides vsn
};

struct AppConfig {
  int user_count_interval_ms = 10'000;
  std::string cookie_secure = "auto";  // auto (Secure + __Host- on secure requests), always
  int session_ttl_s = 14 * 86400;
};

// Several nodes on Redis (issue 11). Empty redis_url: one node, stores in memory.
struct ClusterConfig {
  std::string redis_url;  // redis://[user:password@]host:port/db; never logged with its password
  std::string node_name;  // in logs and /metrics labels; empty = the listen address (host:port)
};

// Phoenix long-poll at /socket/longpoll (the stock client's LongPoll transport).
struct LongPollConfig {
  bool enabled = true;
  int poll_timeout_ms = 10'000;  // a GET waits this long for messages, then answers 204
  int idle_timeout_s = 20;       // a session with no poll in flight for this long ends
};

struct StoreConfig {
  // postgresql://user:password@host:port/db for accounts and sessions; empty = SQLite in
  // server.data_dir. The password is shown and logged as [REDACTED] (obs::urlForLog).
  std::string database_url;
};

struct Config {
  ServerConfig server;
  LimitsConfig limits;
  AuthConfig auth;
  ChannelsConfig channels;
  LogConfig log;
  AppConfig app;
  ClusterConfig cluster;
  LongPollConfig longpoll;
  StoreConfig store;
};

}  // namespace sg
