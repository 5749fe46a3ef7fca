#pragma once
// One Phoenix V2 client socket of the load generator: connect, upgrade, join a topic,
// then read forever, handing each frame to its observer after a prefix check (no JSON
// parse: the generator shares the machine with the server and must stay cheap).
// Every client lives on one io_context thread; nothing here is thread-safe.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sg::bench {

class WsClient;

// What the fleet of clients reports to whoever drives the run.
class ClientObserver {
 public:
  virtual ~ClientObserver() = default;
  // The reply to a join this client sent; `ok` is false for an error reply.
  virtual void onJoinReply(WsClient& client, std::string_view join_ref, bool ok) = 0;
  // A broadcast, `[null,null,topic,event,payload]`; `topic` points into `frame`.
  virtual void onBroadcast(WsClient& client, std::string_view topic, std::string_view frame) = 0;
  // The connection is over: `stage` says where it failed ("connect", "upgrade", "read").
  virtual void onClosed(WsClient& client, std::string_view stage, const std::string& why) = 0;
};

struct ClientTarget {
  boost::asio::ip::tcp::endpoint server;
  std::string host_header;          // "127.0.0.1:PORT"
  std::string path;                 // "/socket/websocket?vsn=2.0.0"
};

class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  using Clock = std::chrono::steady_clock;

  WsClient(boost::asio::io_context& ioc, ClientObserver& observer, std::size_t id);

  // Connects from `source`, upgrades and joins `topic` with join_ref "1"; onJoinReply
  // reports the end. `target` must outlive the client.
  void start(const ClientTarget& target, const boost::asio::ip::address& source, std::string_view topic);
  // Joins another topic on the open socket (the reply comes through onJoinReply).
  void join(std::string_view topic, std::string_view join_ref);
  void sendHeartbeat();
  // Drops the TCP connection without a close handshake (the end of the run).
  void abort();

  std::size_t id() const { return id_; }
  bool open() const { return open_; }
  Clock::time_point startedAt() const { return started_at_; }

 private:
  void onConnect(boost::beast::error_code ec);
  void onHandshake(boost::beast::error_code ec);
  void doRead();
  void onRead(boost::beast::error_code ec, std::size_t bytes);
  void dispatch(std::string_view frame);
  void sendText(std::string frame);
  void doWrite();
  void onWrite(boost::beast::error_code ec, std::size_t bytes);
  void fail(std::string_view stage, boost::beast::error_code ec);

  // The concrete executor type, not any_io_executor: saves a type-erased executor copy
  // per operation, which shows in the profile at a million reads a second.
  using Socket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
  boost::beast::websocket::stream<Socket> ws_;
  boost::beast::flat_buffer buffer_;
  ClientObserver& observer_;
  std::size_t id_;
  const ClientTarget* target_ = nullptr;
  std::string first_topic_;
  std::vector<std::string> outbox_;  // one write in flight at a time, as Beast requires
  Clock::time_point started_at_;
  bool open_ = false;
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace sg::bench
