// The listening socket on a real loopback port: what accepted connections inherit
// (TCP_NODELAY), when the kernel hands a connection over (TCP_DEFER_ACCEPT: with its
// first bytes, not before), and a port that is taken.
#include "net/listen_socket.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>
#include <poll.h>

namespace sg::net {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

const tcp::endpoint kAnyLoopbackPort(asio::ip::make_address("127.0.0.1"), 0);

// Whether a connection is ready to accept within `wait` (a bound, never a pace).
bool acceptable(tcp::acceptor& acceptor, std::chrono::milliseconds wait) {
  pollfd p{.fd = acceptor.native_handle(), .events = POLLIN, .revents = 0};
  return ::poll(&p, 1, static_cast<int>(wait.count())) == 1 && (p.revents & POLLIN) != 0;
}

class ListenSocketTest : public ::testing::Test {
 protected:
  tcp::acceptor listen(ListenOptions options) {
    tcp::acceptor acceptor(io_);
    auto opened = openListening(acceptor, kAnyLoopbackPort, options);
    EXPECT_TRUE(opened) << opened.error().message();
    return acceptor;
  }

  tcp::socket connectTo(const tcp::acceptor& acceptor) {
    tcp::socket client(io_);
    client.connect(acceptor.local_endpoint());
    return client;
  }

  asio::io_context io_;
};

TEST_F(ListenSocketTest, AcceptedConnectionsHaveNoDelayWithoutSettingIt) {
  auto acceptor = listen({.defer_accept = 0s});
  auto client = connectTo(acceptor);
  tcp::socket accepted = acceptor.accept();
  tcp::no_delay option;
  accepted.get_option(option);
  EXPECT_TRUE(option.value());
}

TEST_F(ListenSocketTest, WithoutDeferAcceptAConnectionIsHandedOverBeforeItSendsAnything) {
  auto acceptor = listen({.defer_accept = 0s});
  auto client = connectTo(acceptor);
  EXPECT_TRUE(acceptable(acceptor, 5000ms));
}

TEST_F(ListenSocketTest, WithDeferAcceptAConnectionIsHandedOverWithItsFirstBytes) {
  auto acceptor = listen({.defer_accept = 10s});
  auto client = connectTo(acceptor);
  EXPECT_FALSE(acceptable(acceptor, 300ms)) << "handed over before any byte arrived";

  asio::write(client, asio::buffer(std::string_view("GET / HTTP/1.1\r\n")));
  ASSERT_TRUE(acceptable(acceptor, 5000ms));
  tcp::socket accepted = acceptor.accept();
  // The bytes are already there: the first read needs no wait.
  accepted.non_blocking(true);
  std::array<char, 64> buffer{};
  boost::system::error_code ec;
  std::size_t n = accepted.read_some(asio::buffer(buffer), ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(std::string_view(buffer.data(), n), "GET / HTTP/1.1\r\n");
}

TEST_F(ListenSocketTest, APortInUseIsAnErrorAndLeavesTheAcceptorClosed) {
  auto first = listen({});
  tcp::acceptor second(io_);
  auto opened = openListening(second, first.local_endpoint(), {});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), asio::error::address_in_use);
  EXPECT_FALSE(second.is_open());
}

}  // namespace
}  // namespace sg::net
