#include "net/listen_socket.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>

namespace sg::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

boost::system::result<void> openListening(tcp::acceptor& acceptor, const tcp::endpoint& endpoint,
                                          ListenOptions options) {
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.set_option(tcp::no_delay(true), ec);
  if (!ec && options.defer_accept.count() > 0) {
    int seconds = static_cast<int>(options.defer_accept.count());
    if (::setsockopt(acceptor.native_handle(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &seconds, sizeof seconds) != 0) {
      ec.assign(errno, boost::system::system_category());
    }
  }
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    return ec;
  }
  return {};
}

}  // namespace sg::net
