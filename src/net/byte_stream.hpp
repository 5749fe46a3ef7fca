#pragma once
// The bytes under HTTP and RFC 6455 framing: one connected TCP socket, in non-blocking
// mode, with or without TLS (tls_engine) on it; the sessions above use both alike.
// Reads and writes never wait: when they would, they fail with would_block and the caller
// asks to be woken (waitReadable / waitWritable). That is what lets a shard read every
// socket into one scratch buffer and write each socket's queued frames in one call.
// Internal to net/.
#include "net/socket.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <span>
#include <string>

namespace sg::net {

class TlsEngine;

class ByteStream {
 public:
  // `socket` connected; it is put in non-blocking mode. `tls`: null for plain TCP.
  ByteStream(Socket socket, std::unique_ptr<TlsEngine> tls);
  ByteStream(ByteStream&&) noexcept;
  ByteStream& operator=(ByteStream&&) = delete;
  ~ByteStream();

  // What is available, into `out`. Errors: would_block (nothing now), eof (the peer has
  // finished), others (reset, TLS failure).
  boost::system::result<std::size_t> readSome(std::span<char> out);
  // A prefix of `in` (all of it, under TLS, unless earlier output still waits); would_block
  // when nothing could be taken.
  boost::system::result<std::size_t> writeSome(std::span<const boost::asio::const_buffer> in);
  // Output taken by writeSome that has not reached the socket yet (TLS records): wait for
  // writable and flush() before reading is all that is left.
  bool hasPendingOutput() const;
  boost::system::result<void> flush();

  // Whether bytes may already wait inside the stream (decrypted TLS records): a reader
  // must read until would_block before it waits for readable again.
  bool buffersInput() const;
  bool secure() const { return tls_ != nullptr; }

  // Plain TCP only (!secure()): a read into `out`, which the caller keeps until the handler
  // runs. Asio tries it at once and otherwise waits for data without re-arming epoll, which
  // a readiness wait does every time (one system call per wait): for the HTTP phase, whose
  // reads have a buffer of their own anyway.
  template <class Handler>
  void asyncReadSome(std::span<char> out, Handler&& handler) {
    socket_.async_read_some(boost::asio::buffer(out.data(), out.size()), std::forward<Handler>(handler));
  }

  template <class Handler>
  void waitReadable(Handler&& handler) {
    socket_.async_wait(boost::asio::ip::tcp::socket::wait_read, std::forward<Handler>(handler));
  }
  template <class Handler>
  void waitWritable(Handler&& handler) {
    socket_.async_wait(boost::asio::ip::tcp::socket::wait_write, std::forward<Handler>(handler));
  }

  // Ends the connection (TLS close_notify first, best effort); pending waits complete
  // with operation_aborted.
  void close();

 private:
  Socket socket_;
  std::unique_ptr<TlsEngine> tls_;
};

// would_block / try_again: nothing to do until the socket is ready.
bool wouldBlock(const boost::system::error_code& ec);

}  // namespace sg::net
