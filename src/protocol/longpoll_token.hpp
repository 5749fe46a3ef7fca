#pragma once
// The session token of Phoenix long-poll (the `token` every poll and POST carries after
// the first GET). It names where the session lives (this run of this node, a shard, a
// random session id) and whom it is for, expires soon (each poll answer carries a fresh
// one), and is bound to the client address: HMAC-SHA256 under a key derived from the
// server's secret key, so it cannot be edited, and an address tag inside it (a MAC of the
// address, not the address) lets a token presented from elsewhere be told apart from a
// forged one. Pure: no I/O, any thread.
//
//   lp1.<node>.<shard>.<session>.<user, base64url>.<expires, unix s>.<address tag>.<mac>
#include <boost/system/result.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sg::protocol {

struct LongPollClaims {
  std::string node;        // this run of this node (random at start)
  std::size_t shard = 0;   // where the session lives
  std::string session_id;  // random, base64url
  std::string user_id;     // whom the session acts for ("" when anonymous)
  std::int64_t expires_at_s = 0;
};

enum class LongPollTokenError : std::uint8_t {
  Malformed,     // not a token of ours at all, or edited beyond parsing
  OtherNode,     // issued by another node or an earlier run: that session is not here
  BadSignature,  // edited or forged
  WrongAddress,  // genuine, presented from another client address
  Expired,
};

class LongPollTokens {
 public:
  // `server_key`: the server's secret (never used as is: a key for these tokens is derived
  // from it, so a token can never pass for a JWT signed with the same secret).
  LongPollTokens(std::string_view server_key, std::string node);

  const std::string& node() const { return node_; }
  std::string sign(const LongPollClaims& claims, std::string_view client_ip) const;
  boost::system::result<LongPollClaims, LongPollTokenError> verify(std::string_view token, std::string_view client_ip,
                                                                   std::int64_t now_s) const;
  // Whether `text` has the shape of one of these tokens (a client's own `token`
  // parameter, such as a JWT, is not a session token and starts a session).
  static bool looksLikeToken(std::string_view text);

 private:
  std::string mac(std::string_view data) const;
  std::string addressTag(std::string_view client_ip) const;

  std::string key_;
  std::string node_;
};

}  // namespace sg::protocol
