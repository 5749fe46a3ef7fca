#include "net/listener.hpp"

#include "net/http_session.hpp"
#include "net/listen_socket.hpp"
#include "net/tls_context.hpp"
#include "net/tls_engine.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <stdexcept>

namespace sg::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Listener::Listener(ServerContext& ctx, tcp::endpoint endpoint)
    : ctx_(ctx), acceptor_(ctx.deps.shards.at(0).ioc), retry_timer_(ctx.deps.shards.at(0).ioc) {
  // The kernel keeps a silent connection no longer than a slow request is allowed.
  ListenOptions options{.defer_accept = std::chrono::seconds(ctx.deps.config.limits.request_timeout_s)};
  if (auto opened = openListening(acceptor_, endpoint, options); !opened) {
    throw std::runtime_error("cannot listen on " + endpoint.address().to_string() + ":" +
                             std::to_string(endpoint.port()) + ": " + opened.error().message());
  }
}

std::uint16_t Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::run() { doAccept(); }

void Listener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
  retry_timer_.cancel();
}

void Listener::doAccept() {
  std::size_t shard = next_shard_;
  next_shard_ = (next_shard_ + 1) % ctx_.deps.shards.size();
  acceptor_.async_accept(ctx_.deps.shards.at(shard).ioc, peer_,
                         [self = shared_from_this(), shard](boost::system::error_code ec, Socket socket) {
                           self->onAccept(shard, ec, std::move(socket));
                         });
}

void Listener::onAccept(std::size_t shard, boost::system::error_code ec, Socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    // Out of file descriptors or a transient error: back off instead of spinning.
    spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->doAccept();
    });
    return;
  }
  Shard& target = ctx_.deps.shards.at(shard);
  // Onto the socket's shard, posted even when that is this thread's: a session started
  // inside the accept's completion allocates among the accept's own blocks, and every idle
  // socket came out about 50 bytes larger (measured with the peers harness, c10k).
  asio::post(target.ioc, [this, &target, s = std::move(socket), peer = peer_.address().to_string()]() mutable {
    auto* tls = ctx_.deps.tls;
    std::make_shared<HttpSession>(ByteStream(std::move(s), tls ? std::make_unique<TlsEngine>(tls->current()) : nullptr),
                                  std::move(peer), ctx_, target)
        ->run();
  });
  doAccept();
}

}  // namespace sg::net
