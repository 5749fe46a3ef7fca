#pragma once
// The TCP socket type of net/: bound to an io_context's executor rather than Asio's
// type-erased any_io_executor, which makes every socket (and every operation on it) 48
// bytes smaller; each connection lives on one io_context anyway. Internal to net/.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace sg::net {

using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

}  // namespace sg::net
