#pragma once
// One server-side TLS connection over a non-blocking TCP socket (internal to net/).
//
// OpenSSL runs on a BIO of our own instead of the socket: reads pull ciphertext from the
// socket straight into OpenSSL's record buffer when it asks for more, and everything
// OpenSSL writes (handshake flights, records, alerts) is gathered first in a per-thread
// scratch string, then sent with one write_some. Only ciphertext the socket did not take
// stays in the engine (hasPendingOutput()), so a connection whose peer keeps up holds no
// output buffer, and with SSL_MODE_RELEASE_BUFFERS (TlsContext) no record buffers either.
//
// Nothing here waits: every call does what the socket allows now and says what it needs
// next (boost::asio::error::would_block: wait for readable, or for writable while
// hasPendingOutput()). The caller owns the socket, its readiness waits and its buffers,
// so the same batched read/write path serves plain TCP and TLS. Calls come from the
// connection's thread only. The socket must be non-blocking.
//
// Errors: boost::asio::error::eof (close_notify, or the TCP stream ended), errors of
// tlsCategory() (handshake failure, bad record, unsupported protocol...: message() is
// OpenSSL's reason), or the socket's own error (connection reset...). After a TLS or
// socket error every later call returns the same error.
#include "net/tls_error.hpp"

#include <boost/asio/buffer.hpp>
#include "net/tcp_socket.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct ssl_st;      // OpenSSL's SSL
struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace sg::net {

namespace detail {
// What the engine's BIO sees during one call (set by the call, cleared after it).
struct TlsSocketIo {
  TcpSocket* socket = nullptr;  // ciphertext comes from here
  std::string* sink = nullptr;                      // ciphertext goes here
  bool peer_eof = false;                            // the TCP stream has ended
  boost::system::error_code socket_error;           // the socket's last hard error
};
}  // namespace detail

class TlsEngine {
 public:
  // A server-side connection (accept state) using `ctx`, usually TlsContext::current().
  explicit TlsEngine(std::shared_ptr<ssl_ctx_st> ctx);
  ~TlsEngine();
  TlsEngine(const TlsEngine&) = delete;
  TlsEngine& operator=(const TlsEngine&) = delete;

  // Plaintext into `out`, driving the handshake first (its replies are sent from here).
  // Fills `out` as far as the socket allows: a result smaller than out.size() means the
  // socket has nothing more now, a full `out` means there may be more (call again; see
  // hasBufferedInput()). Data read before an error is returned first; the error follows
  // on the next call. Errors as above; would_block when nothing could be read.
  boost::system::result<std::size_t> read(TcpSocket& socket, std::span<char> out);

  // Takes ALL of `in` (returns its total size): encrypts it, in records of up to 16 KiB
  // (small buffers are gathered into one record), and writes what the socket takes; the
  // rest waits in the engine (hasPendingOutput()). Except when ciphertext of an earlier
  // call still waits: then it flushes first, and if some still waits returns would_block
  // having taken nothing (so the caller's own byte cap keeps counting what is queued).
  // Before handshakeDone() it returns boost::asio::error::not_connected: the handshake
  // completes in read(), and an HTTP server speaks only after reading a request.
  boost::system::result<std::size_t> write(TcpSocket& socket,
                                           std::span<const boost::asio::const_buffer> in);

  // Ciphertext waits for the socket to become writable.
  bool hasPendingOutput() const { return pending_head_ < pending_.size(); }
  // Records already read from the socket still wait to be decrypted or returned: read()
  // again before waiting for readable (a full `out` leaves them there).
  bool hasBufferedInput() const;

  // Writes waiting ciphertext; would_block if some remains.
  boost::system::result<void> flush(TcpSocket& socket);

  // Best-effort close_notify: queued behind waiting ciphertext and sent as far as the
  // socket takes it now (flush() may send the rest). Never blocks, never waits for the
  // peer's close_notify. No-op before the handshake is done or after an error.
  void shutdown(TcpSocket& socket);

  bool handshakeDone() const;
  // The ALPN protocol agreed ("http/1.1"), empty when the client offered none.
  std::string_view alpnSelected() const;
  // The negotiated version ("TLSv1.3"), for logs and tests.
  std::string_view protocolVersion() const;

 private:
  class Bind;
  boost::system::error_code failWith(boost::system::error_code ec);
  boost::system::error_code classify(int ssl_result);
  boost::system::error_code sendOutput(TcpSocket& socket);
  boost::system::error_code flushPending(TcpSocket& socket);
  boost::system::error_code encrypt(const char* data, std::size_t size);

  ssl_st* ssl_ = nullptr;
  detail::TlsSocketIo io_;
  std::string pending_;          // ciphertext the socket has not taken, from pending_head_ on
  std::size_t pending_head_ = 0;
  boost::system::error_code failed_;  // sticky TLS or socket error
};

}  // namespace sg::net
