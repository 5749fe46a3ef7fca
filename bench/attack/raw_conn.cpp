#include "raw_conn.hpp"

#include "addresses.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

namespace sg::attack {
namespace {
// Server frames the run reads are connect_error messages, replies and broadcasts.
constexpr std::size_t kMaxFramePayload = 1 << 20;
constexpr std::size_t kMaxHead = 16 * 1024;
}  // namespace

asio::awaitable<RawConn::error_code> RawConn::connect(const asio::ip::tcp::endpoint& server,
                                                      const asio::ip::address& source) {
  error_code ec = bindSource(socket_, source);
  if (ec) co_return ec;
  co_await socket_.async_connect(server, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

asio::awaitable<RawConn::error_code> RawConn::write(const std::string& bytes) {
  error_code ec;
  co_await asio::async_write(socket_, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  co_return ec;
}

asio::awaitable<RawConn::error_code> RawConn::readHead(int& status) {
  status = 0;
  error_code ec;
  std::size_t n = co_await asio::async_read_until(socket_, asio::dynamic_buffer(buffer_, kMaxHead), "\r\n\r\n",
                                                  asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return ec;
  // "HTTP/1.1 101 Switching Protocols"
  if (buffer_.size() >= 12 && buffer_.compare(0, 5, "HTTP/") == 0) {
    auto space = buffer_.find(' ');
    if (space != std::string::npos && space + 4 <= n) {
      status = std::atoi(buffer_.substr(space + 1, 3).c_str());
    }
  }
  buffer_.erase(0, n);
  co_return ec;
}

asio::awaitable<RawConn::error_code> RawConn::readFrame(ServerFrame& frame) {
  for (;;) {
    std::size_t consumed = 0;
    switch (decodeServerFrame(buffer_, kMaxFramePayload, frame, consumed)) {
      case Decode::Frame:
        buffer_.erase(0, consumed);
        co_return error_code{};
      case Decode::Bad:
        co_return make_error_code(boost::system::errc::protocol_error);
      case Decode::NeedMore:
        break;
    }
    error_code ec;
    co_await asio::async_read(socket_, asio::dynamic_buffer(buffer_), asio::transfer_at_least(1),
                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return ec;
  }
}

asio::awaitable<RawConn::error_code> RawConn::readUntilClosed(std::string& into) {
  char chunk[2048];
  for (;;) {
    error_code ec;
    std::size_t n =
        co_await socket_.async_read_some(asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
    if (into.size() < kMaxHead) into.append(chunk, std::min(n, kMaxHead - into.size()));
    if (ec) co_return ec;
  }
}

void RawConn::expiresAfter(Clock::duration d) {
  auto generation = ++deadline_generation_;
  deadline_.expires_after(d);
  deadline_.async_wait([weak = weak_from_this(), generation](const error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self || self->deadline_generation_ != generation) return;
    self->timed_out_ = true;
    error_code ignored;
    self->socket_.close(ignored);
  });
}

void RawConn::close() {
  ++deadline_generation_;
  deadline_.cancel();
  error_code ignored;
  socket_.close(ignored);
}

std::string RawConn::describe(const error_code& ec) const {
  if (timed_out_) return "timeout";
  if (ec == asio::error::eof) return "eof";
  if (ec == asio::error::connection_reset) return "reset";
  if (ec == asio::error::connection_refused) return "refused";
  if (ec == boost::system::errc::protocol_error) return "bad frame";
  return ec.message();
}

}  // namespace sg::attack
