#pragma once
// All client sockets of a run and what they observed. The fleet opens its sockets with a
// bounded number of handshakes in flight, joins topics on them, and counts broadcasts
// for the receive window that is currently open. Lives on the io_context thread.
#include "stats.hpp"
#include "ws_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sg::bench {

struct ConnectStats {
  std::size_t requested = 0;
  std::size_t joined = 0;
  std::size_t failed = 0;
  std::map<std::string, std::size_t> failures;  // "stage: reason" -> count
  LatencyHistogram latency;                     // TCP connect start to join reply
  std::chrono::steady_clock::time_point started, finished;
};

struct ReceiveStats {
  std::string topic;
  std::uint64_t received = 0;
  std::uint64_t stray = 0;  // broadcasts on another topic (late ones from an earlier window)
  LatencyHistogram latency;
  std::chrono::steady_clock::time_point first, last;
};

class Fleet final : public ClientObserver {
 public:
  using Clock = std::chrono::steady_clock;

  // Socket i connects to targets[i % size] (several nodes of a cluster, or one server).
  Fleet(boost::asio::io_context& ioc, std::vector<ClientTarget> targets, std::vector<boost::asio::ip::address> sources);

  // Opens `count` sockets, at most `concurrency` handshakes at a time, each joining `topic`.
  void open(std::size_t count, std::size_t concurrency, std::string topic);
  bool opening() const { return connect_.joined + connect_.failed < connect_.requested; }
  const ConnectStats& connectStats() const { return connect_; }
  // The TLS an open socket negotiated ("" for ws://, or when none is open).
  std::string tlsSession() const;

  // The first `count` joined sockets join `topic`; joinsPending() says when all answered.
  void joinFirst(std::size_t count, const std::string& topic);
  std::size_t joinsPending() const { return joins_pending_; }
  std::size_t joinsRefused() const { return joins_refused_; }

  // GraphQL subscriptions: the first `count` joined sockets subscribe, socket i with
  // queries[i % size] under `id` (the operation id, or the doc push's ref). Absinthe
  // answers each (subscribesPending()); graphql-transport-ws answers only refusals.
  void subscribeFirst(std::size_t count, const std::string& id, const std::vector<std::string>& queries);
  std::size_t subscribesPending() const { return subscribes_pending_; }
  std::size_t subscribesRefused() const { return subscribes_refused_; }
  // Sockets that received a message in the current receive window (at most once each):
  // how a run knows its subscriptions are live, by publishing until every one has heard.
  std::size_t heardFrom() const { return heard_count_; }

  // Counts broadcasts on `topic` (with `prefix`: on every topic that starts with it) from
  // now on, in a fresh ReceiveStats. graphql-transport-ws `next` messages count as on the
  // topic named by their operation id.
  void beginReceive(std::string topic, bool prefix = false);
  const ReceiveStats& receiveStats() const { return receive_; }

  std::size_t openSockets() const;
  // Sockets that were joined and then lost, with the first reasons seen.
  std::size_t droppedAfterJoin() const { return dropped_after_join_; }
  const std::map<std::string, std::size_t>& dropReasons() const { return drop_reasons_; }
  std::uint64_t serverNotices() const { return server_notices_; }

  void sendHeartbeats();
  void abortAll();

  // ClientObserver
  void onJoinReply(WsClient& client, std::string_view join_ref, bool ok) override;
  void onBroadcast(WsClient& client, std::string_view topic, std::string_view frame) override;
  void onSubscribeReply(WsClient& client, bool ok) override;
  void onNext(WsClient& client, std::string_view id, std::string_view frame) override;
  void onClosed(WsClient& client, std::string_view stage, const std::string& why) override;

 private:
  void launchNext();
  void finishConnect(WsClient& client, bool ok, const std::string& failure);
  void received(WsClient& client, std::string_view frame);

  boost::asio::io_context& ioc_;
  const std::vector<ClientTarget> targets_;  // never resized: clients hold references
  std::vector<boost::asio::ip::address> sources_;
  std::string first_topic_;
  std::vector<std::shared_ptr<WsClient>> clients_;
  std::vector<std::uint8_t> joined_;  // by client id: first join answered ok
  std::size_t launched_ = 0;
  ConnectStats connect_;
  std::string extra_join_ref_;  // join_ref of the latest joinFirst()
  std::size_t next_join_ref_ = 2;
  std::size_t joins_pending_ = 0;
  std::size_t joins_refused_ = 0;
  std::size_t subscribes_pending_ = 0;
  std::size_t subscribes_refused_ = 0;
  ReceiveStats receive_;
  bool receive_prefix_ = false;
  std::vector<std::uint8_t> heard_;  // by client id, in the current receive window
  std::size_t heard_count_ = 0;
  std::size_t dropped_after_join_ = 0;
  std::map<std::string, std::size_t> drop_reasons_;
  std::uint64_t server_notices_ = 0;
};

}  // namespace sg::bench
