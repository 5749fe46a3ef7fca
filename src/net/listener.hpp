#pragma once
// Accepts TCP connections and spreads them over the shards, round robin. The listening
// socket is watched by shard 0's Reactor; each wake accepts what is waiting (accept4,
// already non-blocking: no second system call per connection), and each accepted socket
// is handed to its shard, where it lives for its whole life. Internal to net/.
#include "net/reactor.hpp"
#include "net/server_context.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace sg::net {

class Listener final : public std::enable_shared_from_this<Listener>, private Reactor::Watcher {
 public:
  Listener(ServerContext& ctx, boost::asio::ip::tcp::endpoint endpoint);
  ~Listener();
  std::uint16_t port() const { return port_; }
  void run();
  void stop();  // call on shard 0's thread

 private:
  void onEvents(std::uint32_t events) override;
  void abandon() override {}
  void acceptSome();
  void handOff(int fd, const boost::asio::ip::tcp::endpoint& peer);
  // Takes the listening socket out of the reactor and closes it (once).
  void closeSocket();

  ServerContext& ctx_;
  int fd_ = -1;  // the listening socket
  std::uint16_t port_ = 0;
  boost::asio::steady_timer retry_timer_;
  std::size_t next_shard_ = 0;
  bool watched_ = false;
};

}  // namespace sg::net
