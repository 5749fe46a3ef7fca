#pragma once
// Accepts TCP connections and spreads them over the shards, round robin. Each accepted
// socket is created on its shard's io_context and lives there for its whole life.
// Internal to net/.
#include "net/server_context.hpp"
#include "net/socket.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

namespace sg::net {

class Listener final : public std::enable_shared_from_this<Listener> {
 public:
  Listener(ServerContext& ctx, boost::asio::ip::tcp::endpoint endpoint);
  std::uint16_t port() const;
  void run();
  void stop();  // call on shard 0's thread

 private:
  void doAccept();
  void onAccept(std::size_t shard, boost::system::error_code ec, Socket socket);

  ServerContext& ctx_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::endpoint peer_;  // of the accept in progress (one at a time)
  boost::asio::steady_timer retry_timer_;
  std::size_t next_shard_ = 0;
};

}  // namespace sg::net
