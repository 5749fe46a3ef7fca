#include "attacker_socket.hpp"

#include "messages.hpp"

namespace sg::attack {

std::string closeLabel(const ServerFrame& frame) {
  std::string reason = frame.closeReason();
  return reason.empty() ? std::to_string(frame.closeCode()) : std::to_string(frame.closeCode()) + " " + reason;
}

asio::awaitable<bool> openSocket(RawConn& conn, const Target& target, const asio::ip::address& source,
                                 const std::string& request, SocketResult& result) {
  auto ec = co_await conn.connect(target.server, source);
  if (ec) {
    result.label = "connect: " + conn.describe(ec);
    co_return false;
  }
  ec = co_await conn.write(request);
  if (ec) {
    result.label = "write: " + conn.describe(ec);
    co_return false;
  }
  int status = 0;
  ec = co_await conn.readHead(status);
  if (ec) {
    result.label = "upgrade: " + conn.describe(ec);
    co_return false;
  }
  if (status != 101) {
    result.label = "http " + std::to_string(status);
    co_return false;
  }
  result.upgraded = true;
  co_return true;
}

asio::awaitable<void> readUntilClosed(RawConn& conn, SocketResult& result, int stop_after_replies) {
  ServerFrame frame;
  for (;;) {
    auto ec = co_await conn.readFrame(frame);
    if (ec) {
      result.label = conn.describe(ec) + " (no close frame)";
      co_return;
    }
    if (frame.isClose()) {
      result.label = closeLabel(frame);
      co_return;
    }
    if (frame.opcode != opcode::kText) continue;
    auto message = parseServerMessage(frame.payload);
    if (!message) continue;
    if (message->connect_error) {
      result.notice = message->reason;
      result.retry_after_ms = message->retry_after_ms;
    }
    if (!message->reply) continue;
    if (message->reply_ok)
      ++result.replies_ok;
    else {
      ++result.replies_error;
      result.reply_reason = message->reason;
    }
    if (stop_after_replies > 0 && result.replies_ok + result.replies_error >= stop_after_replies) co_return;
  }
}

}  // namespace sg::attack
