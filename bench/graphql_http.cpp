#include "graphql_http.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <charconv>
#include <memory>

namespace sg::bench {
namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

std::string hostOf(const asio::ip::tcp::endpoint& server) {
  return server.address().to_string() + ":" + std::to_string(server.port());
}

// What one query client shares with the load's driver (same thread, no locks).
struct LoadState {
  QueryLoadResult result;
  std::size_t running = 0;
};

asio::awaitable<void> queryClient(asio::ip::tcp::endpoint server, const QueryLoad& load, Clock::time_point end,
                                  std::shared_ptr<LoadState> state) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  boost::system::error_code ec;
  auto fail = [&](std::string why) {
    ++state->result.failed;
    if (state->result.first_failure.empty()) state->result.first_failure = std::move(why);
  };
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, "/api/graphql", 11};
  request.set(bhttp::field::host, hostOf(server));
  request.set(bhttp::field::content_type, "application/json");
  request.set(bhttp::field::accept, "application/graphql-response+json, application/json");
  if (!load.origin.empty()) request.set(bhttp::field::origin, load.origin);
  if (!load.cookie.empty()) request.set(bhttp::field::cookie, load.cookie);
  request.keep_alive(true);
  request.body() = load.body;
  request.prepare_payload();
  boost::beast::flat_buffer buffer;
  bool connected = false;
  while (Clock::now() < end) {
    if (!connected) {
      co_await socket.async_connect(server, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        fail("connect: " + ec.message());
        break;
      }
      socket.set_option(asio::ip::tcp::no_delay(true), ec);
      connected = true;
    }
    auto sent = Clock::now();
    co_await bhttp::async_write(socket, request, asio::redirect_error(asio::use_awaitable, ec));
    bhttp::response<bhttp::string_body> response;
    if (!ec) co_await bhttp::async_read(socket, buffer, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      fail("socket: " + ec.message());
      socket.close(ec);
      connected = false;
      buffer.clear();
      continue;
    }
    const std::string& body = response.body();
    if (response.result_int() == 200 && body.find(load.expect) != std::string::npos &&
        body.find("\"errors\"") == std::string::npos) {
      ++state->result.answered;
      state->result.latency.record((Clock::now() - sent).count());
      state->result.response_bytes = body.size();
    } else {
      fail(std::to_string(response.result_int()) + " " + body.substr(0, 160));
    }
    if (!response.keep_alive()) {
      socket.close(ec);
      connected = false;
    }
  }
  --state->running;
}

}  // namespace

asio::awaitable<HttpAnswer> httpRequest(asio::ip::tcp::endpoint server, std::string method, std::string target,
                                        std::string body, std::vector<std::pair<std::string, std::string>> headers) {
  HttpAnswer answer;
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  boost::system::error_code ec;
  co_await socket.async_connect(server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    answer.error = "connect: " + ec.message();
    co_return answer;
  }
  bhttp::request<bhttp::string_body> request{bhttp::string_to_verb(method), target, 11};
  request.set(bhttp::field::host, hostOf(server));
  for (const auto& [name, value] : headers) request.set(name, value);
  request.keep_alive(false);
  request.body() = std::move(body);
  request.prepare_payload();
  co_await bhttp::async_write(socket, request, asio::redirect_error(asio::use_awaitable, ec));
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  if (!ec) co_await bhttp::async_read(socket, buffer, response, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    answer.error = "socket: " + ec.message();
    co_return answer;
  }
  answer.status = response.result_int();
  answer.body = std::move(response.body());
  for (auto [it, end] = response.equal_range(bhttp::field::set_cookie); it != end; ++it) {
    answer.set_cookies.emplace_back(it->value());
  }
  co_return answer;
}

asio::awaitable<std::optional<double>> readCounter(asio::ip::tcp::endpoint server, std::string name) {
  // Named arguments, no temporaries in the co_await (GCC 12, see loadgen_main's waitUntil).
  std::string method = "GET", target = "/metrics", body;
  std::vector<std::pair<std::string, std::string>> headers;
  HttpAnswer answer = co_await httpRequest(server, method, target, body, headers);
  if (answer.status != 200) co_return std::nullopt;
  double sum = 0;
  std::string_view text = answer.body;
  while (!text.empty()) {
    auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    // `name 12` or `name{label="x"} 12`, never a longer name that starts the same.
    if (!line.starts_with(name) || line.size() <= name.size()) continue;
    if (line[name.size()] != ' ' && line[name.size()] != '{') continue;
    auto space = line.rfind(' ');
    double value = 0;
    auto [end, ec] = std::from_chars(line.data() + space + 1, line.data() + line.size(), value);
    if (ec == std::errc()) sum += value;
  }
  co_return sum;
}

asio::awaitable<QueryLoadResult> runQueryLoad(asio::ip::tcp::endpoint server, const QueryLoad& load) {
  auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<LoadState>();
  auto started = Clock::now();
  auto end = started + load.duration;
  for (std::size_t i = 0; i < load.clients; ++i) {
    ++state->running;
    asio::co_spawn(executor, queryClient(server, load, end, state), asio::detached);
  }
  asio::steady_timer timer(executor);
  while (state->running > 0) {
    timer.expires_after(std::chrono::milliseconds(5));
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  state->result.wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  co_return state->result;
}

}  // namespace sg::bench
