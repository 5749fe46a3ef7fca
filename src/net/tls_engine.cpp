#include "net/tls_engine.hpp"

#include <boost/asio/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <cstring>

namespace sg::net {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::size_t kMaxRecordPlaintext = 16 * 1024;  // TLS's largest record
// The per-thread scratch string keeps its capacity between calls up to this much.
constexpr std::size_t kScratchKeep = 256 * 1024;

// What OpenSSL writes during one call when the engine has no waiting ciphertext.
std::string& outputScratch() {
  thread_local std::string scratch;
  return scratch;
}

detail::TlsSocketIo& ioOf(BIO* bio) { return *static_cast<detail::TlsSocketIo*>(BIO_get_data(bio)); }

// OpenSSL asks for ciphertext: read the socket now, or say "retry" when it has none.
int bioRead(BIO* bio, char* buf, int len) {
  BIO_clear_retry_flags(bio);
  auto& io = ioOf(bio);
  if (io.peer_eof) return 0;
  if (!io.socket || len <= 0) {
    BIO_set_retry_read(bio);
    return -1;
  }
  auto read = io.socket->read({buf, static_cast<std::size_t>(len)});
  error_code ec = read ? error_code() : read.error();
  std::size_t n = read ? *read : 0;
  if (ec == asio::error::would_block || ec == asio::error::try_again || ec == asio::error::interrupted) {
    BIO_set_retry_read(bio);
    return -1;
  }
  if (ec == asio::error::eof) {
    io.peer_eof = true;
    return 0;
  }
  if (ec) {
    io.socket_error = ec;
    return -1;
  }
  return static_cast<int>(n);
}

// OpenSSL hands over ciphertext: it always fits (the engine sends it after the call).
int bioWrite(BIO* bio, const char* buf, int len) {
  BIO_clear_retry_flags(bio);
  auto& io = ioOf(bio);
  if (!io.sink || len < 0) return -1;
  io.sink->append(buf, static_cast<std::size_t>(len));
  return len;
}

long bioCtrl(BIO*, int cmd, long, void*) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;  // the engine flushes after each call
}

int bioCreate(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

int bioDestroy(BIO*) { return 1; }

BIO_METHOD* socketBioMethod() {
  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sockguard socket");
    BIO_meth_set_read(m, bioRead);
    BIO_meth_set_write(m, bioWrite);
    BIO_meth_set_ctrl(m, bioCtrl);
    BIO_meth_set_create(m, bioCreate);
    BIO_meth_set_destroy(m, bioDestroy);
    return m;
  }();
  return method;
}

bool wouldBlock(const error_code& ec) { return ec == asio::error::would_block || ec == asio::error::try_again; }

// Sends data[0..size) as far as the socket takes it now; returns how much it took.
std::size_t sendSome(TcpSocket& socket, const char* data, std::size_t size, error_code& ec) {
  std::size_t sent = 0;
  while (sent < size) {
    asio::const_buffer part(data + sent, size - sent);
    auto n = socket.write({&part, 1});
    if (!n) {
      ec = n.error();
      break;
    }
    sent += *n;
  }
  if (wouldBlock(ec)) ec = {};
  return sent;
}

}  // namespace

// Points the BIO at `socket` and at the right output sink for the length of one call.
// Waiting ciphertext must leave first, so while there is some, new output goes behind it.
class TlsEngine::Bind {
 public:
  Bind(TlsEngine& engine, TcpSocket& socket) : engine_(engine) {
    engine_.io_.socket = &socket;
    outputScratch().clear();
    engine_.io_.sink = engine_.hasPendingOutput() ? &engine_.pending_ : &outputScratch();
  }
  ~Bind() {
    engine_.io_.socket = nullptr;
    engine_.io_.sink = nullptr;
    auto& scratch = outputScratch();
    scratch.clear();
    if (scratch.capacity() > kScratchKeep) std::string().swap(scratch);
  }
  Bind(const Bind&) = delete;
  Bind& operator=(const Bind&) = delete;

 private:
  TlsEngine& engine_;
};

TlsEngine::TlsEngine(std::shared_ptr<ssl_ctx_st> ctx) {
  // SSL_new takes its own reference on ctx: a reload (a new current context) leaves this
  // connection on the context it started with.
  ssl_ = SSL_new(ctx.get());
  if (!ssl_) {
    failed_ = takeTlsError();
    return;
  }
  BIO* bio = BIO_new(socketBioMethod());
  if (!bio) {
    failed_ = takeTlsError();
    return;
  }
  BIO_set_data(bio, &io_);
  SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO (one reference for both directions)
  SSL_set_accept_state(ssl_);
}

TlsEngine::~TlsEngine() {
  if (ssl_) SSL_free(ssl_);
}

error_code TlsEngine::failWith(error_code ec) {
  failed_ = ec;
  return ec;
}

// Maps an SSL_read/SSL_write failure to the error the caller acts on.
error_code TlsEngine::classify(int ssl_result) {
  int err = SSL_get_error(ssl_, ssl_result);
  switch (err) {
    case SSL_ERROR_ZERO_RETURN:  // close_notify
      ERR_clear_error();
      return asio::error::eof;
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE:
      ERR_clear_error();
      return io_.peer_eof ? error_code(asio::error::eof) : error_code(asio::error::would_block);
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      if (io_.socket_error) return io_.socket_error;
      if (io_.peer_eof) return asio::error::eof;
      return takeTlsError();
    default: {
      // The TCP stream ended without close_notify: to the caller, simply the end (HTTP and
      // WebSocket frame their own messages, so a cut cannot pass for a complete one).
      unsigned long code = ERR_peek_error();
      if (io_.peer_eof && ERR_GET_LIB(code) == ERR_LIB_SSL &&
          ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ERR_clear_error();
        return asio::error::eof;
      }
      return takeTlsError();
    }
  }
}

bool TlsEngine::hasBufferedInput() const { return ssl_ && SSL_has_pending(ssl_) == 1; }

bool TlsEngine::handshakeDone() const { return ssl_ && SSL_is_init_finished(ssl_) == 1; }

std::string_view TlsEngine::alpnSelected() const {
  const unsigned char* data = nullptr;
  unsigned int len = 0;
  if (ssl_) SSL_get0_alpn_selected(ssl_, &data, &len);
  return data ? std::string_view(reinterpret_cast<const char*>(data), len) : std::string_view();
}

std::string_view TlsEngine::protocolVersion() const { return ssl_ ? SSL_get_version(ssl_) : ""; }

error_code TlsEngine::flushPending(TcpSocket& socket) {
  error_code ec;
  if (!hasPendingOutput()) return ec;
  pending_head_ += sendSome(socket, pending_.data() + pending_head_, pending_.size() - pending_head_, ec);
  if (!hasPendingOutput()) {
    // Drained: give the memory back, an idle connection keeps no output buffer.
    std::string().swap(pending_);
    pending_head_ = 0;
  }
  return ec;
}

// Sends what OpenSSL wrote during this call: from the scratch string (the socket was
// keeping up), or from behind the waiting ciphertext.
error_code TlsEngine::sendOutput(TcpSocket& socket) {
  auto& scratch = outputScratch();
  if (scratch.empty()) return flushPending(socket);
  error_code ec;
  std::size_t sent = sendSome(socket, scratch.data(), scratch.size(), ec);
  if (sent < scratch.size()) pending_.append(scratch, sent);
  scratch.clear();
  return ec;
}

boost::system::result<std::size_t> TlsEngine::read(TcpSocket& socket, std::span<char> out) {
  if (failed_) return failed_;
  if (out.empty()) return 0;
  Bind bind(*this, socket);
  std::size_t total = 0;
  error_code ec;
  ERR_clear_error();
  // SSL_read returns one record at a time: go on until `out` is full or the socket dry,
  // so that a short result really means "nothing more now".
  while (total < out.size()) {
    std::size_t n = 0;
    int r = SSL_read_ex(ssl_, out.data() + total, out.size() - total, &n);
    if (r == 1) {
      total += n;
      continue;
    }
    ec = classify(r);
    break;
  }
  // Handshake flights, alerts and key updates that OpenSSL wrote meanwhile.
  error_code send_ec = sendOutput(socket);
  bool fatal = ec && ec != asio::error::would_block && ec != asio::error::eof;
  if (fatal) failWith(ec);
  else if (send_ec) failWith(send_ec);
  if (total > 0) return total;  // the error, if any, comes with the next call
  if (failed_) return failed_;
  return ec ? ec : error_code(asio::error::would_block);
}

error_code TlsEngine::encrypt(const char* data, std::size_t size) {
  std::size_t written = 0;
  int r = SSL_write_ex(ssl_, data, size, &written);
  if (r == 1) return {};
  return classify(r);
}

boost::system::result<std::size_t> TlsEngine::write(TcpSocket& socket,
                                                    std::span<const asio::const_buffer> in) {
  if (failed_) return failed_;
  if (!handshakeDone()) return error_code(asio::error::not_connected);
  if (hasPendingOutput()) {
    if (auto ec = flushPending(socket)) return failWith(ec);
    if (hasPendingOutput()) return error_code(asio::error::would_block);
  }
  Bind bind(*this, socket);
  ERR_clear_error();
  // Small buffers (a frame header, a short frame) are gathered into one record: one
  // record per buffer would cost 22+ bytes and one cipher call each.
  thread_local std::array<char, kMaxRecordPlaintext> gather;
  std::size_t gathered = 0;
  std::size_t total = 0;
  error_code ec;
  for (const auto& buffer : in) {
    const char* data = static_cast<const char*>(buffer.data());
    std::size_t left = buffer.size();
    total += left;
    while (left > 0 && !ec) {
      if (gathered == 0 && left >= kMaxRecordPlaintext) {
        ec = encrypt(data, kMaxRecordPlaintext);
        data += kMaxRecordPlaintext;
        left -= kMaxRecordPlaintext;
        continue;
      }
      std::size_t n = std::min(left, kMaxRecordPlaintext - gathered);
      std::memcpy(gather.data() + gathered, data, n);
      gathered += n;
      data += n;
      left -= n;
      if (gathered == kMaxRecordPlaintext) {
        ec = encrypt(gather.data(), gathered);
        gathered = 0;
      }
    }
  }
  if (!ec && gathered > 0) ec = encrypt(gather.data(), gathered);
  if (ec) return failWith(ec);  // our BIO takes everything: only a broken connection fails here
  if (auto send_ec = sendOutput(socket)) return failWith(send_ec);
  return total;
}

boost::system::result<void> TlsEngine::flush(TcpSocket& socket) {
  if (failed_) return failed_;
  if (auto ec = flushPending(socket)) return failWith(ec);
  if (hasPendingOutput()) return error_code(asio::error::would_block);
  return {};
}

void TlsEngine::shutdown(TcpSocket& socket) {
  if (failed_ || !handshakeDone()) return;
  Bind bind(*this, socket);
  ERR_clear_error();
  SSL_shutdown(ssl_);  // writes close_notify; we do not wait for the peer's
  ERR_clear_error();
  if (auto ec = sendOutput(socket)) failWith(ec);
}

}  // namespace sg::net
