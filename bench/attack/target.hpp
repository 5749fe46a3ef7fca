#pragma once
// The server under attack, as every part of the run addresses it.
#include <boost/asio/ip/tcp.hpp>

#include <string>

namespace sg::attack {

struct Target {
  boost::asio::ip::tcp::endpoint server;
  std::string host;    // Host header: "127.0.0.1:PORT"
  std::string origin;  // the server's own origin, allowed by default: "http://127.0.0.1:PORT"
};

}  // namespace sg::attack
