#include "net/server.hpp"

#include "net/listener.hpp"
#include "net/server_context.hpp"
#include "net/websocket_session.hpp"
#include "pubsub/local_pubsub.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <thread>

namespace sg::net {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

asio::ip::tcp::endpoint parseListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("server.listen: expected HOST:PORT, got '" + listen + "'");
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
  if (ec) throw std::runtime_error("server.listen: '" + host + "' is not an IP address");
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) throw std::runtime_error("server.listen: bad port in '" + listen + "'");
  return {address, static_cast<unsigned short>(port)};
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerDeps deps) : ctx(deps) {
    int n = deps.config.server.threads > 0 ? deps.config.server.threads
                                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<pubsub::LocalPubSub::Post> posts;
    for (int i = 0; i < n; ++i) {
      auto shard = std::make_unique<Shard>(static_cast<std::size_t>(i));
      posts.push_back([ioc = &shard->ioc](std::function<void()> task) { asio::post(*ioc, std::move(task)); });
      ctx.shards.push_back(std::move(shard));
    }
    local_pubsub = std::make_unique<pubsub::LocalPubSub>(std::move(posts));
    ctx.pubsub = local_pubsub.get();
    auto* p = local_pubsub.get();
    deps.metrics.extras.push_back({"sockguard_deliveries_total", "Broadcasts handed to subscribed sockets", "counter",
                                   [p] { return static_cast<double>(p->deliveries()); }});
    deps.metrics.extras.push_back({"sockguard_broadcast_backlog", "Broadcasts waiting for their shard", "gauge",
                                   [p] { return static_cast<double>(p->backlog()); }});
  }

  void startSweep(Shard& shard) {
    shard.sweep_timer.expires_after(std::chrono::seconds(1));
    shard.sweep_timer.async_wait([this, &shard](boost::system::error_code ec) {
      if (ec || shard.stopping) return;
      auto now = Clock::now();
      // A session may end (and leave the list) in checkDeadlines: step past it first.
      for (auto it = shard.sessions.begin(); it != shard.sessions.end();) (it++)->checkDeadlines(now);
      startSweep(shard);
    });
  }

  // Runs on shard 0 once every shard has closed its sockets, or the grace period is over.
  void waitDrained(Clock::time_point deadline) {
    bool drained = ctx.sockets_open.load() == 0;
    if (drained || Clock::now() >= deadline) {
      if (!drained) spdlog::warn("shutdown: {} sockets still open after the grace period", ctx.sockets_open.load());
      guards.clear();
      for (auto& shard : ctx.shards) shard->ioc.stop();
      return;
    }
    drain_timer->expires_after(std::chrono::milliseconds(20));
    drain_timer->async_wait([this, deadline](boost::system::error_code) { waitDrained(deadline); });
  }

  // Declared before ctx so that it outlives the shards: sessions still open when the
  // grace period ends are destroyed with their shard's io_context, and unsubscribe as
  // they go (destroying the pub/sub first crashed the shutdown).
  std::unique_ptr<pubsub::LocalPubSub> local_pubsub;
  ServerContext ctx;
  std::shared_ptr<Listener> listener;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::unique_ptr<asio::steady_timer> drain_timer;
  std::atomic<bool> stop_requested{false};
  std::vector<std::shared_ptr<std::function<void()>>> periodic;  // every() tasks
};

Server::Server(ServerDeps deps) : impl_(std::make_unique<Impl>(deps)) {}
Server::~Server() = default;

std::uint16_t Server::bind() {
  impl_->listener = std::make_shared<Listener>(impl_->ctx, parseListen(impl_->ctx.deps.config.server.listen));
  return impl_->listener->port();
}

void Server::run() {
  auto& ctx = impl_->ctx;
  Shard& first = *ctx.shards[0];
  for (auto& shard : ctx.shards) {
    impl_->guards.push_back(asio::make_work_guard(shard->ioc));
    impl_->startSweep(*shard);
  }
  impl_->drain_timer = std::make_unique<asio::steady_timer>(first.ioc);
  asio::signal_set signals(first.ioc, SIGINT, SIGTERM);
  signals.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signo);
    stop();
  });
  impl_->listener->run();

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < ctx.shards.size(); ++i) {
    threads.emplace_back([&shard = *ctx.shards[i]] { shard.ioc.run(); });
  }
  first.ioc.run();
  for (auto& t : threads) t.join();
  signals.cancel();
}

void Server::stop() {
  if (impl_->stop_requested.exchange(true)) return;
  auto& ctx = impl_->ctx;
  auto grace = std::chrono::milliseconds(ctx.deps.config.server.shutdown_grace_ms);
  asio::post(ctx.shards[0]->ioc, [this, grace] {
    impl_->listener->stop();
    for (auto& shard : impl_->ctx.shards) {
      asio::post(shard->ioc, [&s = *shard] {
        s.stopping = true;
        s.sweep_timer.cancel();
        for (auto& session : s.sessions) session.close(CloseReason::GoingAway);
      });
    }
    impl_->waitDrained(Clock::now() + grace);
  });
}

pubsub::PubSub& Server::pubsub() { return *impl_->ctx.pubsub; }

std::size_t Server::shardCount() const { return impl_->ctx.shards.size(); }

void Server::closeConnections(std::string user_id, std::string session_id, CloseReason reason) {
  for (auto& shard : impl_->ctx.shards) {
    asio::post(shard->ioc, [&s = *shard, user_id, session_id, reason] {
      for (auto& session : s.sessions) {
        const Identity* who = session.identity();
        if (!who || who->user_id != user_id) continue;
        if (!session_id.empty() && who->session_id != session_id) continue;
        session.close(reason);
      }
    });
  }
}

void Server::every(std::chrono::milliseconds interval, std::function<void()> task) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->ctx.shards[0]->ioc);
  auto tick = std::make_shared<std::function<void()>>();
  *tick = [this, timer, interval, task = std::move(task), weak = std::weak_ptr(tick)] {
    timer->expires_after(interval);
    timer->async_wait([this, weak, &task](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || impl_->stop_requested) return;
      task();
      (*self)();
    });
  };
  impl_->periodic.push_back(tick);
  asio::post(impl_->ctx.shards[0]->ioc, [tick] { (*tick)(); });
}

void Server::postToShard(std::size_t shard, std::function<void()> task) {
  asio::post(impl_->ctx.shards.at(shard)->ioc, std::move(task));
}

}  // namespace sg::net
