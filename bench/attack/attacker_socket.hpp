#pragma once
// The life of one attacker WebSocket as the server treats it: connect from a source
// address, send an upgrade request, then read the server's frames until it closes. The
// result is one label for the tallies ("4401 token_invalid", "http 429", "timeout")
// and the facts the checks need (did any join get an ok reply?).
#include "raw_conn.hpp"
#include "target.hpp"

#include <string>

namespace sg::attack {

struct SocketResult {
  bool upgraded = false;
  std::string label;                           // how it ended
  std::string notice;                          // the connect_error message's reason, if one came
  std::optional<std::int64_t> retry_after_ms;  // ...and its retry_after_ms
  int replies_ok = 0;
  int replies_error = 0;
  std::string reply_reason;  // of the last error reply
};

// Connects and sends `request`; true on a 101 answer. Otherwise `result.label` says why
// ("connect: refused", "http 429", "timeout").
asio::awaitable<bool> openSocket(RawConn& conn, const Target& target, const asio::ip::address& source,
                                 const std::string& request, SocketResult& result);

// Reads frames until the server closes, the deadline passes, or `stop_after_replies`
// replies have come (0: no such stop). Sets `result.label` unless it stopped on replies.
asio::awaitable<void> readUntilClosed(RawConn& conn, SocketResult& result, int stop_after_replies);

// "4401 token_invalid" (the reason the close frame names; code alone when it has none).
std::string closeLabel(const ServerFrame& frame);

}  // namespace sg::attack
