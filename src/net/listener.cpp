#include "net/listener.hpp"

#include "http/ipv4_text.hpp"
#include "net/http_session.hpp"
#include "net/listen_socket.hpp"
#include "net/tls_context.hpp"
#include "net/tls_engine.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <utility>

namespace sg::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {
// Accepts per wake: a flood of connections cannot hold shard 0 for long.
constexpr int kAcceptsPerWake = 64;

// The peer's address as text. IPv4 without inet_ntop's sprintf (same text); IPv6 (a
// v4-mapped peer of a dual-stack socket too) as the library writes it.
std::string peerText(const tcp::endpoint& peer) {
  auto address = peer.address();
  return address.is_v4() ? http::ipv4Text(address.to_v4().to_bytes()) : address.to_string();
}
}  // namespace

Listener::Listener(ServerContext& ctx, tcp::endpoint endpoint)
    : ctx_(ctx), retry_timer_(ctx.deps.shards.at(0).ioc) {
  // Opened with Asio's acceptor (options, bind, listen), then taken out of Asio's hands:
  // its events come to the reactor alone.
  tcp::acceptor acceptor(ctx.deps.shards.at(0).ioc);
  // The kernel keeps a silent connection no longer than a slow request is allowed.
  ListenOptions options{.defer_accept = std::chrono::seconds(ctx.deps.config.limits.request_timeout_s)};
  if (auto opened = openListening(acceptor, endpoint, options); !opened) {
    throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" +
                             std::to_string(endpoint.port()) + ": " + opened.error().message());
  }
  port_ = acceptor.local_endpoint().port();
  // Asio leaves a socket blocking until its first asynchronous operation; this one never
  // has any, and accept4 must come back with EAGAIN once the queue is empty.
  acceptor.non_blocking(true);
  fd_ = acceptor.release();
}

Listener::~Listener() { closeSocket(); }

void Listener::run() {
  if (auto watched = ctx_.deps.shards.at(0).reactor.watch(fd_, *this); !watched) {
    throw std::runtime_error("cannot watch the listening socket: " + watched.error().message());
  }
  watched_ = true;
  acceptSome();  // connections that came before the watch gave no event
}

void Listener::stop() {
  retry_timer_.cancel();
  closeSocket();
}

void Listener::closeSocket() {
  if (fd_ < 0) return;
  if (watched_) ctx_.deps.shards.at(0).reactor.forget(fd_);
  watched_ = false;
  ::close(std::exchange(fd_, -1));
}

void Listener::onEvents(std::uint32_t) { acceptSome(); }

void Listener::acceptSome() {
  for (int i = 0; i < kAcceptsPerWake && fd_ >= 0; ++i) {
    tcp::endpoint peer;
    socklen_t length = static_cast<socklen_t>(peer.capacity());
    int fd = ::accept4(fd_, peer.data(), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) {
      peer.resize(length);
      handOff(fd, peer);
      continue;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;  // the next connection is an event
    if (errno == EINTR || errno == ECONNABORTED) continue;
    // Out of file descriptors or a transient error: back off instead of spinning. The
    // queue is not empty, so no event would come: try again after the pause.
    spdlog::warn("accept failed: {}; retrying in 100 ms", std::system_category().message(errno));
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->acceptSome();
    });
    return;
  }
  // More may wait: let the shard run other work first.
  if (fd_ >= 0) asio::post(ctx_.deps.shards.at(0).ioc, [self = shared_from_this()] { self->acceptSome(); });
}

void Listener::handOff(int fd, const tcp::endpoint& peer) {
  std::size_t shard = next_shard_;
  next_shard_ = (next_shard_ + 1) % ctx_.deps.shards.size();
  Shard& target = ctx_.deps.shards.at(shard);
  // Onto the socket's shard, posted even when that is this thread's: a session started
  // inside the accept loop allocates among the accept's own blocks, and every idle socket
  // came out about 50 bytes larger (measured with the peers harness, c10k).
  asio::post(target.ioc, [this, &target, socket = TcpSocket(fd), ip = peerText(peer)]() mutable {
    auto* tls = ctx_.deps.tls;
    std::make_shared<HttpSession>(ByteStream(target.reactor, target.ioc, std::move(socket),
                                             tls ? std::make_unique<TlsEngine>(tls->current()) : nullptr),
                                  std::move(ip), ctx_, target)
        ->run();
  });
}

}  // namespace sg::net
