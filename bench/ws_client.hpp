#pragma once
// One client socket of the load generator: connect, (TLS handshake,) upgrade, join a
// topic, then read forever, handing each frame to its observer after a prefix check (no
// JSON parse: the generator shares the machine with the server and must stay cheap).
// Every client lives on one io_context thread; nothing here is thread-safe.
//
// It speaks Phoenix V2 (the channel joins of the bench's main run), Absinthe over Phoenix
// (the same socket; the first join is `__absinthe__:control`, subscriptions are `doc`
// pushes) or graphql-transport-ws (where "joined" means connection_ack).
//
// WsClient is what the fleet holds; BasicWsClient<Stream> is the socket over plain TCP
// (ws://) or over TLS (wss://). Only the per-connection calls (start, join, heartbeat,
// abort) are virtual: the read loop, run once per delivered frame, is compiled once per
// stream type and calls nothing through a vtable but the observer.
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
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
  // The answer to subscribe(): an Absinthe doc reply (`ok`: a subscriptionId), or a
  // graphql-transport-ws `error` message (never `ok`: that protocol does not confirm).
  virtual void onSubscribeReply(WsClient& client, bool ok) = 0;
  // A graphql-transport-ws `next` message; `id` points into `frame`.
  virtual void onNext(WsClient& client, std::string_view id, std::string_view frame) = 0;
  // The connection is over: `stage` says where it failed ("connect", "tls", "upgrade", "read").
  virtual void onClosed(WsClient& client, std::string_view stage, const std::string& why) = 0;
};

enum class WireProtocol { phoenix, absinthe, graphql_ws };

struct ClientTarget {
  boost::asio::ip::tcp::endpoint server;
  std::string host_header;          // "127.0.0.1:PORT"
  std::string path;                 // "/socket/websocket?vsn=2.0.0", "/api/graphql"
  WireProtocol protocol = WireProtocol::phoenix;
  // Set: wss://, a TLS handshake with this client context before the upgrade.
  boost::asio::ssl::context* tls = nullptr;
};

class WsClient {
 public:
  using Clock = std::chrono::steady_clock;

  virtual ~WsClient() = default;

  // A client for `target` (ws:// or wss://, after target.tls). `target` must outlive it.
  static std::shared_ptr<WsClient> make(boost::asio::io_context& ioc, ClientObserver& observer, std::size_t id,
                                        const ClientTarget& target);

  // Connects from `source`, upgrades and joins `topic` with join_ref "1"; onJoinReply
  // reports the end.
  virtual void start(const boost::asio::ip::address& source, std::string_view topic) = 0;
  // Joins another topic on the open socket (the reply comes through onJoinReply).
  virtual void join(std::string_view topic, std::string_view join_ref) = 0;
  // A GraphQL subscription (Absinthe or graphql-transport-ws; `id` is the operation id or
  // the push's ref); the answer, if any, comes through onSubscribeReply.
  virtual void subscribe(std::string_view id, std::string_view query) = 0;
  virtual void sendHeartbeat() = 0;
  // Drops the TCP connection without a close handshake (the end of the run).
  virtual void abort() = 0;
  // "TLSv1.3, TLS_AES_256_GCM_SHA384, X25519" once the TLS handshake is done; empty for ws://.
  virtual std::string tlsSession() const = 0;

  std::size_t id() const { return id_; }
  bool open() const { return open_; }
  Clock::time_point startedAt() const { return started_at_; }

 protected:
  WsClient(ClientObserver& observer, std::size_t id, const ClientTarget& target)
      : observer_(observer), id_(id), target_(target) {}

  ClientObserver& observer_;
  const std::size_t id_;
  const ClientTarget& target_;
  Clock::time_point started_at_;
  bool open_ = false;
};

// The concrete executor type, not any_io_executor: saves a type-erased executor copy per
// operation, which shows in the profile at a million reads a second.
using PlainSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
using TlsSocket = boost::asio::ssl::stream<PlainSocket>;

// `Stream` is PlainSocket or TlsSocket (the two are instantiated in ws_client.cpp).
template <class Stream>
class BasicWsClient final : public WsClient, public std::enable_shared_from_this<BasicWsClient<Stream>> {
 public:
  BasicWsClient(boost::asio::io_context& ioc, ClientObserver& observer, std::size_t id, const ClientTarget& target);

  void start(const boost::asio::ip::address& source, std::string_view topic) override;
  void join(std::string_view topic, std::string_view join_ref) override;
  void subscribe(std::string_view id, std::string_view query) override;
  void sendHeartbeat() override;
  void abort() override;
  std::string tlsSession() const override;

 private:
  void onConnect(boost::beast::error_code ec);
  void onTlsHandshake(boost::beast::error_code ec);
  void upgrade();
  void onHandshake(boost::beast::error_code ec);
  void doRead();
  void onRead(boost::beast::error_code ec, std::size_t bytes);
  void dispatch(std::string_view frame);
  void dispatchGraphqlWs(std::string_view frame);
  void sendText(std::string frame);
  void doWrite();
  void onWrite(boost::beast::error_code ec, std::size_t bytes);
  void fail(std::string_view stage, boost::beast::error_code ec);

  boost::beast::websocket::stream<Stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::string first_topic_;
  std::vector<std::string> outbox_;  // one write in flight at a time, as Beast requires
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace sg::bench
