#include "net/tcp_socket.hpp"

#include <boost/asio/error.hpp>

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace sg::net {
namespace {

boost::system::error_code lastError() {
  if (errno == EAGAIN || errno == EWOULDBLOCK) return boost::asio::error::would_block;
  return {errno, boost::system::system_category()};
}

}  // namespace

TcpSocket& TcpSocket::operator=(TcpSocket&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.release();
  }
  return *this;
}

boost::system::result<std::size_t> TcpSocket::read(std::span<char> out) {
  for (;;) {
    ssize_t n = ::recv(fd_, out.data(), out.size(), 0);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) return boost::system::error_code(boost::asio::error::eof);
    if (errno != EINTR) return lastError();
  }
}

boost::system::result<std::size_t> TcpSocket::write(std::span<const boost::asio::const_buffer> in) {
  // The callers gather at most a frame's header and body; parts past kMaxParts are sent
  // in later calls, as any partial write is.
  std::array<iovec, kMaxParts> parts{};
  std::size_t count = std::min(in.size(), parts.size());
  for (std::size_t i = 0; i < count; ++i) {
    parts[i].iov_base = const_cast<void*>(in[i].data());  // sendmsg does not write to it
    parts[i].iov_len = in[i].size();
  }
  msghdr message{};
  message.msg_iov = parts.data();
  message.msg_iovlen = count;
  for (;;) {
    ssize_t n = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return lastError();
  }
}

void TcpSocket::close() {
  if (fd_ >= 0) ::close(release());
}

}  // namespace sg::net
