#pragma once
// Source addresses. Each kind of traffic comes from a range of its own in 127.0.0.0/8,
// so the server's per-IP limits apply to each attacker kind on its own, and never to a
// legitimate client because of an attacker next to it.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace sg::attack {

// `count` consecutive IPv4 addresses from `first` ("127.0.0.2", 125 -> .2 ... .126);
// empty when `first` is not IPv4 loopback or the range leaves 127.0.0.0/8.
std::vector<boost::asio::ip::address> loopbackRange(const std::string& first, std::size_t count);

// Opens `socket` and binds it to `source` (port chosen at connect time, so thousands of
// sockets can share one source address).
boost::system::error_code bindSource(boost::asio::ip::tcp::socket& socket, const boost::asio::ip::address& source);

}  // namespace sg::attack
