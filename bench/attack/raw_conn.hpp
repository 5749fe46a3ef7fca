#pragma once
// One attacker connection from a chosen source address, spoken to in raw bytes: it
// writes whatever it is given, reads the HTTP response head of an upgrade, then the
// server's WebSocket frames. A deadline closes the socket when it passes, so no wait of
// an attacker is unbounded. Coroutine API, one io_context thread; held in a shared_ptr
// (the deadline's handler keeps only a weak reference).
#include "coro.hpp"
#include "wire.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <string>

namespace sg::attack {

class RawConn : public std::enable_shared_from_this<RawConn> {
 public:
  using error_code = boost::system::error_code;

  static std::shared_ptr<RawConn> create(const asio::any_io_executor& ex) {
    return std::shared_ptr<RawConn>(new RawConn(ex));
  }

  asio::awaitable<error_code> connect(const asio::ip::tcp::endpoint& server, const asio::ip::address& source);
  // `bytes` must stay alive until the write completes.
  asio::awaitable<error_code> write(const std::string& bytes);
  // Reads the response head; `status` is its code (101 for an upgrade), 0 if malformed.
  asio::awaitable<error_code> readHead(int& status);
  // Reads one whole frame of the server (frames after the head).
  asio::awaitable<error_code> readFrame(ServerFrame& frame);
  // Reads whatever arrives (appended to `into`, at most 16 KiB kept) until the peer
  // closes or the deadline passes: what a slow client sees of the server's answer.
  asio::awaitable<error_code> readUntilClosed(std::string& into);

  // Closes the socket `d` from now (replaces an earlier deadline).
  void expiresAfter(Clock::duration d);
  bool timedOut() const { return timed_out_; }
  void close();

  // "timeout", "eof", "reset", or the error's message: how a wait ended.
  std::string describe(const error_code& ec) const;

 private:
  explicit RawConn(const asio::any_io_executor& ex) : socket_(ex), deadline_(ex) {}

  asio::ip::tcp::socket socket_;
  asio::steady_timer deadline_;
  std::uint64_t deadline_generation_ = 0;
  std::string buffer_;  // bytes read and not yet decoded
  bool timed_out_ = false;
};

}  // namespace sg::attack
