#include "cluster/redis_url.hpp"

#include <boost/url/parse.hpp>

#include <charconv>

namespace sg::cluster {

std::string RedisEndpoint::describe() const {
  std::string out = tls ? "rediss://" : "redis://";
  if (!user.empty() || !password.empty()) out += user + (password.empty() ? "" : ":[REDACTED]") + "@";
  bool v6 = host.find(':') != std::string::npos;
  out += (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + std::to_string(db);
  return out;
}

std::optional<RedisEndpoint> parseRedisUrl(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<RedisEndpoint> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  auto parsed = boost::urls::parse_uri(text);
  // Boost.URL's message may quote the text, and so the password: say only what is wrong.
  if (!parsed) return fail("not a URL (expected redis://[user:password@]host:port/db)");
  const auto& url = *parsed;
  RedisEndpoint out;
  std::string scheme(url.scheme());
  if (scheme == "rediss") out.tls = true;
  else if (scheme != "redis") return fail("scheme must be redis:// or rediss://");
  if (!url.has_authority() || url.encoded_host().empty()) return fail("a host is required");
  if (url.has_query() || url.has_fragment()) return fail("no query or fragment is allowed");
  out.host = url.host_type() == boost::urls::host_type::ipv6 ? std::string(url.host_address()) : std::string(url.host());
  if (url.has_port()) {
    auto p = url.port();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (ec != std::errc() || end != p.data() + p.size() || value < 1 || value > 65535) return fail("port must be 1-65535");
    out.port = static_cast<std::uint16_t>(value);
  }
  if (url.has_userinfo()) {
    out.user = std::string(url.user());
    out.password = std::string(url.password());
  }
  std::string path(url.path());
  if (!path.empty() && path != "/") {
    std::string_view digits = std::string_view(path).substr(path[0] == '/' ? 1 : 0);
    int db = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), db);
    if (ec != std::errc() || end != digits.data() + digits.size() || db < 0 || db > 15) {
      return fail("the path must be a database number 0-15");
    }
    out.db = db;
  }
  return out;
}

std::string redactUrlPassword(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  auto authority_start = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_start);
  auto authority = url.substr(authority_start, authority_end == std::string_view::npos ? std::string_view::npos
                                                                                         : authority_end - authority_start);
  auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  auto colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  std::string out(url.substr(0, authority_start + colon + 1));
  out += "[REDACTED]";
  out += url.substr(authority_start + at);
  return out;
}

}  // namespace sg::cluster
