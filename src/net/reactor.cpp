#include "net/reactor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <vector>

namespace sg::net {
namespace asio = boost::asio;

namespace {
// Events taken per epoll_wait. A full batch is followed by a post, not a loop, so that
// timers and posted work run between batches under load.
constexpr int kBatch = 256;
}  // namespace

struct Reactor::Impl {
  int epoll_fd = -1;
  // The epoll set as Asio sees it: one descriptor, readable when some socket has events.
  std::unique_ptr<asio::posix::stream_descriptor> set;
  // Watchers by descriptor: an event that arrives in the same batch as its socket's
  // close finds null here (or, once the number is reused, wakes a new socket that then
  // reads nothing: harmless).
  std::vector<Watcher*> by_fd;
  std::array<epoll_event, kBatch> events{};
  bool stopped = false;

  void arm() {
    set->async_wait(asio::posix::stream_descriptor::wait_read, [this](boost::system::error_code ec) {
      if (!ec && !stopped) drain();
    });
  }

  void drain() {
    int n = ::epoll_wait(epoll_fd, events.data(), kBatch, 0);
    for (int i = 0; i < n; ++i) {
      auto fd = static_cast<std::size_t>(events[static_cast<std::size_t>(i)].data.fd);
      if (fd < by_fd.size() && by_fd[fd] != nullptr) by_fd[fd]->onEvents(events[static_cast<std::size_t>(i)].events);
      if (stopped) return;
    }
    if (n == kBatch) {
      asio::post(set->get_executor(), [this] {
        if (!stopped) drain();
      });
      return;
    }
    arm();
  }
};

Reactor::Reactor() : impl_(std::make_unique<Impl>()) {
  impl_->epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (impl_->epoll_fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

Reactor::~Reactor() {
  shutdown();
  if (impl_->epoll_fd >= 0) ::close(impl_->epoll_fd);
}

void Reactor::attach(asio::io_context& ioc) {
  // A duplicate for Asio to own: the set's own descriptor stays valid until this object goes.
  int dup = ::dup(impl_->epoll_fd);
  if (dup < 0) throw std::system_error(errno, std::generic_category(), "dup");
  impl_->set = std::make_unique<asio::posix::stream_descriptor>(ioc, dup);
  impl_->arm();
}

void Reactor::shutdown() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->set.reset();
  // By index: an abandoned watcher may be destroyed and forget its descriptor meanwhile.
  for (std::size_t fd = 0; fd < impl_->by_fd.size(); ++fd) {
    if (auto* watcher = impl_->by_fd[fd]) watcher->abandon();
  }
}

boost::system::result<void> Reactor::watch(int fd, Watcher& watcher) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.fd = fd;
  if (::epoll_ctl(impl_->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    return boost::system::error_code(errno, boost::system::system_category());
  }
  auto index = static_cast<std::size_t>(fd);
  if (index >= impl_->by_fd.size()) impl_->by_fd.resize(std::max<std::size_t>(index + 1, impl_->by_fd.size() * 2));
  impl_->by_fd[index] = &watcher;
  return {};
}

void Reactor::rewatch(int fd, Watcher& watcher) { impl_->by_fd.at(static_cast<std::size_t>(fd)) = &watcher; }

void Reactor::forget(int fd) {
  auto index = static_cast<std::size_t>(fd);
  if (index < impl_->by_fd.size()) impl_->by_fd[index] = nullptr;
}

}  // namespace sg::net
