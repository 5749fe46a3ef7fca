#include "net/byte_stream.hpp"

#include "net/tls_engine.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <sys/epoll.h>

#include <algorithm>
#include <cassert>

namespace sg::net {
namespace asio = boost::asio;

namespace {

// What one TcpSocket::write offers the kernel: a write shorter than this found the send
// buffer full.
std::size_t offeredSize(std::span<const asio::const_buffer> in) {
  std::size_t total = 0;
  for (const auto& b : in.first(std::min(in.size(), TcpSocket::kMaxParts))) total += b.size();
  return total;
}

}  // namespace

bool wouldBlock(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

ByteStream::ByteStream(Reactor& reactor, asio::io_context& ioc, TcpSocket socket, std::unique_ptr<TlsEngine> tls)
    : reactor_(&reactor), ioc_(&ioc), socket_(std::move(socket)), tls_(std::move(tls)) {
  if (auto watched = reactor_->watch(socket_.fd(), *this); !watched) broken_ = watched.error();
}

ByteStream::ByteStream(ByteStream&& other) noexcept
    : reactor_(other.reactor_), ioc_(other.ioc_), socket_(std::move(other.socket_)), tls_(std::move(other.tls_)),
      broken_(other.broken_), readable_(other.readable_), writable_(other.writable_) {
  assert(!other.on_readable_ && !other.on_writable_);
  if (socket_.isOpen() && !broken_) reactor_->rewatch(socket_.fd(), *this);
}

ByteStream::~ByteStream() {
  if (socket_.isOpen() && !broken_) reactor_->forget(socket_.fd());
}

boost::system::result<std::size_t> ByteStream::readSome(std::span<char> out) {
  if (broken_) return broken_;
  if (tls_) {
    auto n = tls_->read(socket_, out);
    // A short read means the engine found the socket dry (TlsEngine::read).
    if ((!n && wouldBlock(n.error())) || (n && *n < out.size() && !tls_->hasBufferedInput())) readable_ = false;
    return n;
  }
  if (!readable_) return boost::system::error_code(asio::error::would_block);
  auto n = socket_.read(out);
  // Short: the kernel had no more. Anything that arrives later is an event of its own.
  if ((!n && wouldBlock(n.error())) || (n && *n < out.size())) readable_ = false;
  return n;
}

boost::system::result<std::size_t> ByteStream::writeSome(std::span<const asio::const_buffer> in) {
  if (broken_) return broken_;
  if (tls_) {
    auto n = tls_->write(socket_, in);
    if ((!n && wouldBlock(n.error())) || tls_->hasPendingOutput()) writable_ = false;
    return n;
  }
  auto n = socket_.write(in);
  if ((!n && wouldBlock(n.error())) || (n && *n < offeredSize(in))) writable_ = false;
  return n;
}

bool ByteStream::hasPendingOutput() const { return tls_ && tls_->hasPendingOutput(); }

boost::system::result<void> ByteStream::flush() {
  if (!tls_) return {};
  auto flushed = tls_->flush(socket_);
  if (!flushed || tls_->hasPendingOutput()) writable_ = false;
  return flushed;
}

bool ByteStream::buffersInput() const { return tls_ && tls_->hasBufferedInput(); }

void ByteStream::waitReadable(WaitHandler handler) {
  assert(!on_readable_);
  if (readable_ || broken_ || !socket_.isOpen()) return post(std::move(handler), readyOrWhyNot());
  on_readable_ = std::move(handler);
}

void ByteStream::waitWritable(WaitHandler handler) {
  assert(!on_writable_);
  if (writable_ || broken_ || !socket_.isOpen()) return post(std::move(handler), readyOrWhyNot());
  on_writable_ = std::move(handler);
}

boost::system::error_code ByteStream::readyOrWhyNot() const {
  if (!socket_.isOpen()) return asio::error::operation_aborted;
  return broken_;
}

void ByteStream::onEvents(std::uint32_t events) {
  // Both handlers leave their slots before either runs: a handler may close the stream,
  // wait again, or release the last hold on the connection that owns this stream.
  WaitHandler read_ready, write_ready;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    readable_ = true;
    read_ready = std::move(on_readable_);
  }
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
    writable_ = true;
    write_ready = std::move(on_writable_);
  }
  if (read_ready) read_ready({});
  if (write_ready) write_ready({});
}

void ByteStream::abandon() {
  WaitHandler read_wait = std::move(on_readable_);
  WaitHandler write_wait = std::move(on_writable_);
  // Destroyed here, on return: this stream may go with them.
}

void ByteStream::post(WaitHandler handler, boost::system::error_code ec) {
  asio::post(*ioc_, [handler = std::move(handler), ec]() mutable { handler(ec); });
}

void ByteStream::close() {
  if (!socket_.isOpen()) return;
  if (tls_) tls_->shutdown(socket_);
  if (!broken_) reactor_->forget(socket_.fd());
  // close() alone sends the FIN (nothing else holds the descriptor) and takes the socket
  // out of the epoll set.
  socket_.close();
  if (on_readable_) post(std::move(on_readable_), asio::error::operation_aborted);
  if (on_writable_) post(std::move(on_writable_), asio::error::operation_aborted);
}

}  // namespace sg::net
