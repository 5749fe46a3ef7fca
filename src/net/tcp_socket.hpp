#pragma once
// One connected TCP socket in non-blocking mode, as a file descriptor this object owns:
// reads and writes that never wait, straight system calls (recv, sendmsg). What to do
// when one would block is up to the caller (ByteStream waits through the shard's
// Reactor). Internal to net/.
#include <boost/asio/buffer.hpp>
#include <boost/system/result.hpp>

#include <span>

namespace sg::net {

class TcpSocket {
 public:
  TcpSocket() = default;
  // Takes `fd`: a connected stream socket, already non-blocking (accept4 SOCK_NONBLOCK).
  explicit TcpSocket(int fd) : fd_(fd) {}
  TcpSocket(TcpSocket&& other) noexcept : fd_(other.release()) {}
  TcpSocket& operator=(TcpSocket&& other) noexcept;
  TcpSocket(const TcpSocket&) = delete;
  TcpSocket& operator=(const TcpSocket&) = delete;
  ~TcpSocket() { close(); }

  bool isOpen() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  // What is there, into `out` (not empty). Errors: asio::error::would_block (nothing
  // now), asio::error::eof (the peer has finished), or the system's (reset...).
  boost::system::result<std::size_t> read(std::span<char> out);
  // A prefix of `in`, gathered in one call from at most its first kMaxParts buffers;
  // would_block when the send buffer is full. Never raises SIGPIPE.
  static constexpr std::size_t kMaxParts = 16;
  boost::system::result<std::size_t> write(std::span<const boost::asio::const_buffer> in);

  void close();
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

}  // namespace sg::net
