#pragma once
// `cluster.redis_url`: redis://[user:password@]host:port/db, parsed once at start. The
// password never reaches a log line: describe() and redactUrlPassword() are what logs and
// `serve --help` show. rediss:// (TLS) parses, but the server refuses it at start: Debian
// 12's hiredis 0.14 has no TLS (see serve).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sg::cluster {

struct RedisEndpoint {
  std::string host;
  std::uint16_t port = 6379;
  std::string user;      // Redis 6 ACL user; empty = the default user
  std::string password;  // empty = no AUTH
  int db = 0;
  bool tls = false;      // rediss://

  // "redis://user:[REDACTED]@host:port/db" (no password: nothing to hide).
  std::string describe() const;
};

// Parses a redis:// or rediss:// URL (percent-decoded user and password, IPv6 host in
// brackets, port 1-65535, default 6379, db 0-15 as the path, default 0). nullopt and
// `error` say why not.
std::optional<RedisEndpoint> parseRedisUrl(std::string_view url, std::string* error);

// The URL with the password of its user information replaced by [REDACTED]; text that is
// not a URL with user information comes back unchanged.
std::string redactUrlPassword(std::string_view url);

}  // namespace sg::cluster
