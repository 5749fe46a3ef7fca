#pragma once
// Publishes broadcasts through the server API (POST /api/broadcast, or /api/broadcast/batch
// with several per request) over one keep-alive HTTP connection (https:// when given a TLS
// client context), paced to a schedule. Requests are pipelined, up to `window` waiting
// for their answer: with one request at a time the publishing rate would be capped by
// the round trip, and a loaded server answers slowly (its shards are busy delivering),
// so the offered load would drop exactly when it matters.
//
// Each payload carries the steady-clock send time in nanoseconds, {"s":SEQ,"t":NS}, which
// the receiving clients (same machine, same clock) turn into a delivery latency.
#include "stats.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace sg::bench {

struct PublishPlan {
  std::string topic;
  std::string event = "bench";
  std::uint64_t count = 0;
  double rate_per_s = 0;   // broadcasts per second; 0 = as fast as the window allows
  std::size_t batch = 1;    // broadcasts per request (> 1: POST /api/broadcast/batch)
  std::size_t window = 64;  // requests written and not yet answered, at most
  // Publishing stops here even if requests are left: a server that answers slowly must
  // not stretch the bench past its time budget.
  std::chrono::steady_clock::duration time_cap = std::chrono::seconds(30);
  // When set, the number of broadcasts whose request has been started (same thread): a
  // subscriber whose join was answered when this read N is owed every broadcast from N on.
  std::uint64_t* written = nullptr;
};

struct PublishResult {
  std::uint64_t accepted = 0;  // broadcasts answered 202
  std::uint64_t refused = 0;   // broadcasts answered with any other status
  std::string error;           // set when the connection failed mid-run
  bool capped = false;         // stopped at plan.time_cap
  std::chrono::steady_clock::time_point first_sent, last_sent;
  LatencyHistogram round_trip;  // request written to response read
};

class HttpPublisher {
 public:
  // With `tls` set, the connection is HTTPS with that client context (it must outlive
  // the publisher).
  HttpPublisher(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint server, std::string api_key,
                boost::asio::ssl::context* tls = nullptr);

  // `plan` must stay alive until the returned awaitable completes.
  boost::asio::awaitable<PublishResult> publish(const PublishPlan& plan);

 private:
  using Clock = std::chrono::steady_clock;

  // What the writer (publish) and the reader (readResponses) share during one publish.
  struct Flight {
    struct Request {
      Clock::time_point sent;
      std::size_t broadcasts;
    };
    std::deque<Request> unanswered;  // oldest first
    bool writer_done = false;
    bool reader_done = false;
    PublishResult result;
  };

  // TLS over the one TCP socket; a fresh one per connection (an SSL session does not
  // survive its connection).
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;

  boost::asio::awaitable<std::string> ensureConnected();
  void disconnect();
  // The publish itself, over the plain socket or its TLS stream: two instantiations, so
  // the plain path has no indirection per request.
  template <class Stream>
  boost::asio::awaitable<PublishResult> publishOver(Stream& stream, const PublishPlan& plan);
  template <class Stream>
  boost::asio::awaitable<void> readResponses(Stream& stream, Flight& flight);
  // Timers used as events: a waiter sleeps "forever", the other side cancels it.
  static boost::asio::awaitable<void> waitForEvent(boost::asio::steady_timer& event);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::ssl::context* tls_context_;
  std::optional<TlsStream> tls_;  // set while connected over TLS
  boost::asio::ip::tcp::endpoint server_;
  std::string host_header_;
  std::string authorization_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer reader_wake_;  // a request was written, or the writer is done
  boost::asio::steady_timer writer_wake_;  // a response was read, or the reader stopped
  bool connected_ = false;
};

}  // namespace sg::bench
