#include "http_publisher.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace sg::bench {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

HttpPublisher::HttpPublisher(asio::io_context& ioc, asio::ip::tcp::endpoint server, std::string api_key,
                             asio::ssl::context* tls)
    : socket_(ioc), tls_context_(tls), server_(server),
      host_header_(server.address().to_string() + ":" + std::to_string(server.port())),
      authorization_("Bearer " + api_key), reader_wake_(ioc), writer_wake_(ioc) {}

asio::awaitable<std::string> HttpPublisher::ensureConnected() {
  if (connected_) co_return std::string();
  boost::system::error_code ec;
  co_await socket_.async_connect(server_, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return "connect: " + ec.message();
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  if (tls_context_) {
    tls_.emplace(socket_, *tls_context_);
    co_await tls_->async_handshake(asio::ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      disconnect();
      co_return "tls: " + ec.message();
    }
  }
  connected_ = true;
  co_return std::string();
}

void HttpPublisher::disconnect() {
  connected_ = false;
  boost::system::error_code ec;
  socket_.close(ec);
  tls_.reset();
  buffer_.clear();
}

asio::awaitable<void> HttpPublisher::waitForEvent(asio::steady_timer& event) {
  event.expires_at(Clock::time_point::max());
  boost::system::error_code ec;
  co_await event.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

template <class Stream>
asio::awaitable<void> HttpPublisher::readResponses(Stream& stream, Flight& flight) {
  boost::system::error_code ec;
  for (;;) {
    if (flight.unanswered.empty()) {
      if (flight.writer_done) break;
      co_await waitForEvent(reader_wake_);
      continue;
    }
    bhttp::response<bhttp::string_body> response;
    co_await bhttp::async_read(stream, buffer_, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (flight.result.error.empty()) flight.result.error = "read: " + ec.message();
      break;
    }
    auto answered = flight.unanswered.front();
    flight.unanswered.pop_front();
    flight.result.round_trip.record((Clock::now() - answered.sent).count());
    if (response.result_int() == 202) flight.result.accepted += answered.broadcasts;
    else flight.result.refused += answered.broadcasts;
    writer_wake_.cancel();
    if (!response.keep_alive()) {
      flight.result.error = "server closed the connection after status " + std::to_string(response.result_int());
      break;
    }
  }
  flight.reader_done = true;
  writer_wake_.cancel();
}

asio::awaitable<PublishResult> HttpPublisher::publish(const PublishPlan& plan) {
  PublishResult failed;
  failed.error = co_await ensureConnected();
  if (!failed.error.empty()) co_return failed;
  if (tls_) co_return co_await publishOver(*tls_, plan);
  co_return co_await publishOver(socket_, plan);
}

template <class Stream>
asio::awaitable<PublishResult> HttpPublisher::publishOver(Stream& stream, const PublishPlan& plan) {
  Flight flight;
  // The reader runs beside this writer; `flight` outlives it because this coroutine
  // waits for reader_done before it returns.
  asio::co_spawn(socket_.get_executor(), readResponses(stream, flight), asio::detached);

  const std::size_t batch = std::max<std::size_t>(1, plan.batch);
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, batch > 1 ? "/api/broadcast/batch" : "/api/broadcast",
                                             11};
  request.set(bhttp::field::host, host_header_);
  request.set(bhttp::field::authorization, authorization_);
  request.set(bhttp::field::content_type, "application/json");
  request.keep_alive(true);
  // The body around the two numbers is the same for every request.
  std::string head = R"({"topic":")" + plan.topic + R"(","event":")" + plan.event + R"(","payload":{"s":)";

  asio::steady_timer pacer(socket_.get_executor());
  auto period = plan.rate_per_s > 0 ? std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(1.0 / plan.rate_per_s))
                                    : Clock::duration::zero();
  auto start = Clock::now();
  boost::system::error_code ec;
  for (std::uint64_t seq = 0; seq < plan.count && !flight.reader_done; seq += batch) {
    if (Clock::now() - start > plan.time_cap) {
      flight.result.capped = true;
      break;
    }
    // An absolute schedule: a late request makes the next ones go sooner, so the
    // offered rate holds on average.
    auto due = start + period * static_cast<std::int64_t>(seq);
    if (Clock::now() < due) {
      pacer.expires_at(due);
      co_await pacer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    while (flight.unanswered.size() >= plan.window && !flight.reader_done) co_await waitForEvent(writer_wake_);
    if (flight.reader_done) break;

    auto sent = Clock::now();
    auto sent_ns = std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(sent.time_since_epoch()).count());
    std::size_t in_request = static_cast<std::size_t>(std::min<std::uint64_t>(batch, plan.count - seq));
    auto& body = request.body();
    body = batch > 1 ? R"({"broadcasts":[)" : "";
    for (std::size_t i = 0; i < in_request; ++i) {
      if (i > 0) body += ',';
      body += head;
      body += std::to_string(seq + i);
      body += R"(,"t":)";
      body += sent_ns;
      body += "}}";
    }
    if (batch > 1) body += "]}";
    request.prepare_payload();
    if (seq == 0) flight.result.first_sent = sent;
    flight.result.last_sent = sent;
    flight.unanswered.push_back({sent, in_request});
    if (plan.written) *plan.written = seq + in_request;
    reader_wake_.cancel();
    co_await bhttp::async_write(stream, request, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (flight.result.error.empty()) flight.result.error = "write: " + ec.message();
      break;
    }
  }
  flight.writer_done = true;
  if (!flight.result.error.empty()) socket_.close(ec);  // ends a read still waiting
  reader_wake_.cancel();
  while (!flight.reader_done) co_await waitForEvent(writer_wake_);
  if (!flight.result.error.empty()) disconnect();
  co_return flight.result;
}

}  // namespace sg::bench
