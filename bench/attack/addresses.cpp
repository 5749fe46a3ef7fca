#include "addresses.hpp"

#include <netinet/in.h>

namespace sg::attack {
namespace asio = boost::asio;

namespace {
// The port is picked per destination at connect time instead of from the address's
// ephemeral range at bind time.
using BindAddressNoPort = asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>;
}  // namespace

std::vector<asio::ip::address> loopbackRange(const std::string& first, std::size_t count) {
  boost::system::error_code ec;
  auto start = asio::ip::make_address_v4(first, ec);
  if (ec || !start.is_loopback()) return {};
  std::vector<asio::ip::address> out;
  out.reserve(count);
  auto value = start.to_uint();
  for (std::size_t i = 0; i < count; ++i) {
    asio::ip::address_v4 a(static_cast<asio::ip::address_v4::uint_type>(value + i));
    if (!a.is_loopback()) return {};
    out.emplace_back(a);
  }
  return out;
}

boost::system::error_code bindSource(asio::ip::tcp::socket& socket, const asio::ip::address& source) {
  boost::system::error_code ec;
  socket.open(asio::ip::tcp::v4(), ec);
  if (!ec) socket.set_option(BindAddressNoPort(true), ec);
  if (!ec) socket.bind(asio::ip::tcp::endpoint(source, 0), ec);
  if (!ec) socket.set_option(asio::ip::tcp::no_delay(true), ec);
  return ec;
}

}  // namespace sg::attack
