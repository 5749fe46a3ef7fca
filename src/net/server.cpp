#include "net/server.hpp"

#include "net/listener.hpp"
#include "net/server_context.hpp"
#include "net/tls_context.hpp"

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
  explicit Impl(ServerDeps deps) : ctx(deps) {}

  void watchHangups(asio::signal_set& hangups) {
    hangups.async_wait([this, &hangups](boost::system::error_code ec, int) {
      if (ec) return;
      if (auto reloaded = ctx.deps.tls->reload(); reloaded) {
        spdlog::info("SIGHUP: TLS certificate reloaded ({})", ctx.deps.tls->describe());
      } else {
        spdlog::error("SIGHUP: TLS certificate not reloaded, the old one keeps serving: {}", reloaded.error().message);
      }
      watchHangups(hangups);
    });
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
      for (std::size_t i = 0; i < ctx.deps.shards.size(); ++i) ctx.deps.shards.at(i).ioc.stop();
      return;
    }
    drain_timer->expires_after(std::chrono::milliseconds(20));
    drain_timer->async_wait([this, deadline](boost::system::error_code) { waitDrained(deadline); });
  }

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
  Shards& shards = ctx.deps.shards;
  Shard& first = shards.at(0);
  for (std::size_t i = 0; i < shards.size(); ++i) {
    impl_->guards.push_back(asio::make_work_guard(shards.at(i).ioc));
    impl_->startSweep(shards.at(i));
  }
  impl_->drain_timer = std::make_unique<asio::steady_timer>(first.ioc);
  asio::signal_set signals(first.ioc, SIGINT, SIGTERM);
  signals.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;
    spdlog::info("received signal {}, shutting down", signo);
    stop();
  });
  // SIGHUP re-reads the certificate and key; a file that fails keeps the old pair serving.
  asio::signal_set hangups(first.ioc);
  if (ctx.deps.tls) {
    hangups.add(SIGHUP);
    impl_->watchHangups(hangups);
  }
  impl_->listener->run();

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < shards.size(); ++i) {
    threads.emplace_back([&shard = shards.at(i)] { shard.ioc.run(); });
  }
  first.ioc.run();
  for (auto& t : threads) t.join();
  signals.cancel();
  hangups.cancel();
  // The shards outlive the server (they were made before it): its own timers and the
  // listener go now, while their io_contexts still exist.
  impl_->periodic.clear();
  // Long-poll sessions may hold polls of connections on other shards: they go while every
  // shard's event loop still exists (and no thread runs any more).
  for (std::size_t i = 0; i < shards.size(); ++i) shards.at(i).long_polls.clear();
  impl_->drain_timer.reset();
  impl_->listener.reset();
}

void Server::stop() {
  if (impl_->stop_requested.exchange(true)) return;
  auto& ctx = impl_->ctx;
  auto grace = std::chrono::milliseconds(ctx.deps.config.server.shutdown_grace_ms);
  asio::post(ctx.deps.shards.at(0).ioc, [this, grace] {
    impl_->listener->stop();
    Shards& shards = impl_->ctx.deps.shards;
    for (std::size_t i = 0; i < shards.size(); ++i) {
      asio::post(shards.at(i).ioc, [&s = shards.at(i)] {
        s.stopping = true;
        s.sweep_timer.cancel();
        for (auto& session : s.sessions) session.close(CloseReason::GoingAway);
      });
    }
    impl_->waitDrained(Clock::now() + grace);
  });
}

void Server::closeConnections(std::string user_id, std::string session_id, CloseReason reason) {
  Shards& shards = impl_->ctx.deps.shards;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    asio::post(shards.at(i).ioc, [&s = shards.at(i), user_id, session_id, reason] {
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
  auto timer = std::make_shared<asio::steady_timer>(impl_->ctx.deps.shards.at(0).ioc);
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
  asio::post(impl_->ctx.deps.shards.at(0).ioc, [tick] { (*tick)(); });
}

}  // namespace sg::net
