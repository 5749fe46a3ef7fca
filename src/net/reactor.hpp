#pragma once
// A shard's readiness notifier for its TCP sockets: one epoll set, edge-triggered, that
// each socket joins once, for reading and writing, when it is accepted, and leaves by
// being closed. The set is itself watched by the shard's io_context, so socket events,
// timers and posted work all run on the shard's one thread.
//
// Why not Asio's socket operations: Asio re-arms a descriptor in epoll on every wait for
// readability (one epoll_ctl per wait) and switches each accepted socket to non-blocking
// with one more system call. Here a connection costs a single epoll_ctl in its life, and
// a socket known to be drained is not read again until the kernel reports more (see
// ByteStream). Events come in batches: one epoll_wait serves every socket ready at once.
// Internal to net/.
#include <boost/system/result.hpp>

#include <cstdint>
#include <memory>

namespace boost::asio {
class io_context;
}

namespace sg::net {

class Reactor {
 public:
  // What a watched descriptor is told.
  class Watcher {
   public:
    // The epoll events that arrived: EPOLLIN, EPOLLOUT, EPOLLRDHUP, EPOLLHUP, EPOLLERR.
    // The watcher may be destroyed inside the call.
    virtual void onEvents(std::uint32_t events) = 0;
    // The shard is going away: drop what waits for events (handlers that hold their
    // connections alive). The watcher may be destroyed inside the call.
    virtual void abandon() = 0;

   protected:
    ~Watcher() = default;
  };

  Reactor();
  ~Reactor();
  Reactor(const Reactor&) = delete;
  Reactor& operator=(const Reactor&) = delete;

  // Starts delivering events on `ioc`'s thread (once, before any watch()).
  void attach(boost::asio::io_context& ioc);
  // Ends delivery and abandons every watcher still registered; call while `ioc` exists.
  void shutdown();

  // Adds `fd` for reading and writing; `watcher` is told its events until forget(fd).
  boost::system::result<void> watch(int fd, Watcher& watcher);
  // The same descriptor, from now on told to `watcher` (a stream that moved).
  void rewatch(int fd, Watcher& watcher);
  // No more events for `fd`: call before closing it (the close takes it out of the set).
  void forget(int fd);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sg::net
