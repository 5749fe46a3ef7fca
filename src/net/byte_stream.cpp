#include "net/byte_stream.hpp"

#include "net/tls_engine.hpp"

namespace sg::net {
namespace asio = boost::asio;

bool wouldBlock(const boost::system::error_code& ec) {
  return ec == asio::error::would_block || ec == asio::error::try_again;
}

ByteStream::ByteStream(Socket socket, std::unique_ptr<TlsEngine> tls)
    : socket_(std::move(socket)), tls_(std::move(tls)) {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);
}

ByteStream::ByteStream(ByteStream&&) noexcept = default;
ByteStream::~ByteStream() = default;

boost::system::result<std::size_t> ByteStream::readSome(std::span<char> out) {
  if (tls_) return tls_->read(socket_, out);
  boost::system::error_code ec;
  std::size_t n = socket_.read_some(asio::buffer(out.data(), out.size()), ec);
  if (ec) return ec;
  return n;
}

boost::system::result<std::size_t> ByteStream::writeSome(std::span<const asio::const_buffer> in) {
  if (tls_) return tls_->write(socket_, in);
  boost::system::error_code ec;
  std::size_t n = socket_.write_some(in, ec);
  if (ec) return ec;
  return n;
}

bool ByteStream::hasPendingOutput() const { return tls_ && tls_->hasPendingOutput(); }

boost::system::result<void> ByteStream::flush() {
  if (tls_) return tls_->flush(socket_);
  return {};
}

bool ByteStream::buffersInput() const { return tls_ && tls_->hasBufferedInput(); }

void ByteStream::close() {
  if (tls_) tls_->shutdown(socket_);
  // close() alone sends the FIN (nothing else holds the descriptor); a shutdown() first
  // was one more system call per connection, and failed anyway once the peer had gone.
  boost::system::error_code ignored;
  socket_.close(ignored);
}


}  // namespace sg::net
