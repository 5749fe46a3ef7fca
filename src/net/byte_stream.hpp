#pragma once
// The bytes under HTTP and RFC 6455 framing: one connected TCP socket, in non-blocking
// mode, with or without TLS (tls_engine) on it; the sessions above use both alike.
// Reads and writes never wait: when they would, they fail with would_block and the caller
// asks to be woken (waitReadable / waitWritable). That is what lets a shard read every
// socket into one scratch buffer and write each socket's queued frames in one call.
//
// Readiness comes from the shard's Reactor (edge-triggered epoll), and the stream keeps
// what the kernel last said: a read that came back short, or a write that was cut, means
// the socket is drained (full) until the next event. So a read on a drained socket fails
// with would_block without a system call, and a wait on a socket already known to be
// ready completes at once (posted). Internal to net/.
#include "net/reactor.hpp"
#include "net/tcp_socket.hpp"
#include "net/wait_handler.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/system/result.hpp>

#include <memory>
#include <span>

namespace boost::asio {
class io_context;
}

namespace sg::net {

class TlsEngine;

class ByteStream final : private Reactor::Watcher {
 public:
  // Watches `socket` (connected, non-blocking) on `reactor`, whose events run on `ioc`.
  // `tls`: null for plain TCP.
  ByteStream(Reactor& reactor, boost::asio::io_context& ioc, TcpSocket socket, std::unique_ptr<TlsEngine> tls);
  // Only while nothing waits (a stream handed from the HTTP session to its upgrade).
  ByteStream(ByteStream&& other) noexcept;
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

  // `handler(error_code)` runs once the socket is readable (writable): from the shard's
  // event loop, never inside this call; with operation_aborted when the stream is closed
  // first. One wait of each kind at a time.
  void waitReadable(WaitHandler handler);
  void waitWritable(WaitHandler handler);

  // Ends the connection (TLS close_notify first, best effort); pending waits complete
  // with operation_aborted.
  void close();

 private:
  void onEvents(std::uint32_t events) override;
  void abandon() override;
  void post(WaitHandler handler, boost::system::error_code ec);
  // What a wait that need not wait completes with: success, or why there is nothing to wait for.
  boost::system::error_code readyOrWhyNot() const;

  Reactor* reactor_;
  boost::asio::io_context* ioc_;
  TcpSocket socket_;
  std::unique_ptr<TlsEngine> tls_;
  WaitHandler on_readable_;
  WaitHandler on_writable_;
  boost::system::error_code broken_;  // the socket could not be watched
  bool readable_ = true;  // no read has found the socket drained since its last event
  bool writable_ = true;  // no write has found the socket full since its last event
};

// would_block / try_again: nothing to do until the socket is ready.
bool wouldBlock(const boost::system::error_code& ec);

}  // namespace sg::net
