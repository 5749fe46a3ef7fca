#pragma once
// The listening socket, with the options every accepted connection inherits from it, so
// that no accept pays a system call of its own for them:
//  - TCP_NODELAY: every write is a whole frame, reply or response, never a trickle that
//    Nagle's algorithm should gather;
//  - TCP_DEFER_ACCEPT: the kernel hands a connection over once its first bytes are in,
//    so the accept and the first read happen in one wake-up with no empty read between.
//    A client that connects and says nothing holds no descriptor meanwhile; when
//    `defer_accept` has passed, the kernel hands it over anyway and the request timeout
//    closes it as before.
// Internal to net/.
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/result.hpp>

#include <chrono>

namespace sg::net {

struct ListenOptions {
  std::chrono::seconds defer_accept{10};  // 0: hand connections over at once
};

// Opens, configures, binds and listens `acceptor` on `endpoint`.
boost::system::result<void> openListening(boost::asio::ip::tcp::acceptor& acceptor,
                                          const boost::asio::ip::tcp::endpoint& endpoint, ListenOptions options);

}  // namespace sg::net
