#include "legit_client.hpp"

#include "addresses.hpp"
#include "messages.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <charconv>

namespace sg::attack {
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr auto kApiTimeout = 30s;
constexpr auto kJoinTimeout = 30s;
constexpr std::string_view kSessionCookie = "_sockguard_session";

std::string describeEnd(const beast::error_code& ec, const websocket::close_reason& reason) {
  if (ec == websocket::error::closed) {
    return "closed by server: " + std::to_string(reason.code) + " " + std::string(reason.reason.c_str());
  }
  if (ec == beast::error::timeout) return "timeout";
  return ec.message();
}

std::optional<std::int64_t> numberAfter(std::string_view text, std::string_view key) {
  auto pos = text.find(key);
  if (pos == std::string_view::npos) return std::nullopt;
  std::int64_t value = 0;
  const char* first = text.data() + pos + key.size();
  auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

}  // namespace

std::size_t LegitClient::receivedOf(std::size_t count) const {
  std::size_t n = 0;
  for (std::size_t i = first_owed_; i < count && i < seen_.size(); ++i) n += seen_[i] ? 1 : 0;
  return n;
}

asio::awaitable<void> LegitClient::run(Clock::time_point start_at) {
  co_await sleepFor(start_at - Clock::now());
  auto signed_in_from = Clock::now();
  if (!co_await signIn()) co_return;
  std::vector<std::string> topics{"user_count:" + account_.id, shared_.room};
  std::string ticket;
  std::string error = co_await joinWithTicket(ws_, topics, ticket);
  if (!error.empty()) {
    failure_ = error;
    co_return;
  }
  shared_.sign_in_to_joined.record((Clock::now() - signed_in_from).count());
  joined_ = true;
  // Broadcasts already written may or may not reach it; every later one must.
  first_owed_ = static_cast<std::size_t>(shared_.published);
  // Used: the attackers may now try it again.
  shared_.drop->put({ticket, account_.source.to_string()});
  asio::co_spawn(ex_, heartbeats(), asio::detached);
  if (shared_.churn_every > Clock::duration::zero()) asio::co_spawn(ex_, churn(), asio::detached);
  co_await readLoop();
}

asio::awaitable<std::string> LegitClient::joinWithTicket(std::optional<Ws>& ws, const std::vector<std::string>& topics,
                                                         std::string& used_ticket) {
  int expired_in_a_row = 0;
  for (;;) {
    std::string error;
    auto ticket = co_await requestTicket(error);
    if (!ticket) co_return "ticket: " + error;
    ws.emplace(ex_);
    auto from = Clock::now();
    JoinOutcome outcome = co_await connectAndJoin(*ws, *ticket, topics);
    if (outcome.error.empty()) {
      shared_.join.record((Clock::now() - from).count());
      used_ticket = *ticket;
      co_return std::string();
    }
    if (shared_.ending) co_return outcome.error;
    if (outcome.refusal == "token_expired" && ++expired_in_a_row < 2) {
      ++shared_.reconnects[outcome.refusal];
      continue;
    }
    if ((outcome.refusal == "rate_limited" || outcome.refusal == "server_busy") && outcome.retry_after_ms) {
      ++shared_.reconnects[outcome.refusal];
      co_await sleepFor(std::chrono::milliseconds(std::clamp<std::int64_t>(*outcome.retry_after_ms, 100, 10'000)));
      continue;
    }
    co_return outcome.error;
  }
}

asio::awaitable<ApiResponse> LegitClient::callPolitely(const ApiRequest& request) {
  for (;;) {
    ApiResponse response = co_await callApi(*shared_.target, account_.source, request, kApiTimeout);
    bool busy = (response.status == 429 || response.status == 503) && response.retry_after_s;
    if (!busy || shared_.ending) co_return response;
    ++shared_.retries;
    co_await sleepFor(std::chrono::seconds(std::clamp(*response.retry_after_s, 1, 10)));
  }
}

asio::awaitable<bool> LegitClient::signIn() {
  boost::json::object body{{"email", account_.email}, {"password", account_.password}};
  ApiRequest request{"POST", "/api/accounts/login", {{"Origin", shared_.target->origin}}, boost::json::serialize(body)};
  auto from = Clock::now();
  ApiResponse response = co_await callPolitely(request);
  shared_.login.record((Clock::now() - from).count());
  auto csrf = jsonString(response.body, "csrf_token");
  auto cookie = cookieFrom(response.set_cookies, kSessionCookie);
  if (response.status != 200 || !csrf || !cookie) {
    failure_ = response.status ? "login: http " + std::to_string(response.status) + " " + response.body
                               : "login: " + response.error;
    co_return false;
  }
  csrf_ = *csrf;
  cookie_ = std::string(kSessionCookie) + "=" + *cookie;
  co_return true;
}

asio::awaitable<std::optional<std::string>> LegitClient::requestTicket(std::string& error) {
  ApiRequest request{"POST",
                     "/api/socket/ticket",
                     {{"Cookie", cookie_}, {"X-CSRF-Token", csrf_}, {"Origin", shared_.target->origin}},
                     {}};
  auto from = Clock::now();
  ApiResponse response = co_await callPolitely(request);
  shared_.ticket.record((Clock::now() - from).count());
  auto ticket = jsonString(response.body, "ticket");
  if (response.status != 200 || !ticket) {
    error = response.status ? "http " + std::to_string(response.status) + " " + response.body : response.error;
    co_return std::nullopt;
  }
  co_return ticket;
}

asio::awaitable<LegitClient::JoinOutcome> LegitClient::connectAndJoin(Ws& ws, const std::string& ticket,
                                                                      const std::vector<std::string>& topics) {
  JoinOutcome out;
  auto& tcp = beast::get_lowest_layer(ws);
  beast::error_code ec = bindSource(tcp.socket(), account_.source);
  if (ec) {
    out.error = "bind: " + ec.message();
    co_return out;
  }
  // One deadline over connect, upgrade and joins; the socket has none once joined (the
  // server's heartbeat rule is the only idle limit that applies).
  tcp.expires_after(kJoinTimeout);
  co_await tcp.async_connect(shared_.target->server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "connect: " + ec.message();
    co_return out;
  }
  ws.read_message_max(1 << 20);
  std::string origin = shared_.target->origin;
  ws.set_option(websocket::stream_base::decorator([origin](websocket::request_type& req) {
    req.set(beast::http::field::origin, origin);
    req.set(beast::http::field::user_agent, "sockguard-attack legit");
  }));
  // It reads connect_error (and its retry_after_ms), so it asks for readable refusals.
  std::string path = "/socket/websocket?vsn=2.0.0&sockguard_refusal=connect_error&ticket=" + ticket;
  co_await ws.async_handshake(shared_.target->host, path, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    out.error = "upgrade: " + ec.message();
    co_return out;
  }
  ws.text(true);
  for (std::size_t i = 0; i < topics.size(); ++i) {
    std::string join = joinMessage(std::to_string(i + 1), topics[i]);
    co_await ws.async_write(asio::buffer(join), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      out.error = "join write: " + ec.message();
      co_return out;
    }
  }
  std::size_t pending = topics.size();
  beast::flat_buffer buffer;
  while (pending > 0) {
    co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      out.error = "join: " + describeEnd(ec, ws.reason());
      co_return out;
    }
    std::string text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    auto message = parseServerMessage(text);
    if (message && message->connect_error) {
      out.error = "refused: " + message->reason;
      out.refusal = message->reason;
      out.retry_after_ms = message->retry_after_ms;
      co_return out;
    }
    if (message && message->reply && message->topic != "phoenix") {
      if (!message->reply_ok) {
        out.error = "join " + message->topic + ": " + message->reason;
        co_return out;
      }
      --pending;
      continue;
    }
    onText(text);
  }
  tcp.expires_never();
  co_return out;
}

asio::awaitable<void> LegitClient::readLoop() {
  beast::flat_buffer buffer;
  for (;;) {
    beast::error_code ec;
    co_await ws_->async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (!shared_.ending) disconnect_ = describeEnd(ec, ws_->reason());
      co_return;
    }
    if (ws_->got_text()) {
      onText(std::string_view(static_cast<const char*>(buffer.cdata().data()), buffer.size()));
    }
    buffer.consume(buffer.size());
  }
}

void LegitClient::onText(std::string_view frame) {
  // `[null,null,"<room>","<event>",{"s":SEQ,"t":NS}]`: a string search, no JSON parse.
  if (prefix_.empty()) prefix_ = "[null,null,\"" + shared_.room + "\",\"" + shared_.broadcast_event + "\",";
  if (!frame.starts_with(prefix_)) return;
  auto seq = numberAfter(frame, R"({"s":)");
  auto sent = numberAfter(frame, R"("t":)");
  if (sent) shared_.delivery.record(Clock::now().time_since_epoch().count() - *sent);
  if (!seq || *seq < 0 || static_cast<std::size_t>(*seq) >= seen_.size()) {
    ++unexpected_;
    return;
  }
  auto& slot = seen_[static_cast<std::size_t>(*seq)];
  if (slot) {
    ++duplicates_;
    return;
  }
  slot = 1;
  ++received_;
}

asio::awaitable<void> LegitClient::heartbeats() {
  std::size_t n = 0;
  while (!shared_.ending && !disconnect_) {
    co_await sleepFor(shared_.heartbeat);
    if (shared_.ending || disconnect_) break;
    std::string heartbeat = heartbeatMessage("h" + std::to_string(++n));
    beast::error_code ec;
    co_await ws_->async_write(asio::buffer(heartbeat), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;  // the read loop reports the disconnect
  }
}

asio::awaitable<void> LegitClient::churn() {
  Rng rng(std::hash<std::string>{}(account_.id));
  while (!shared_.ending && !disconnect_) {
    auto pause = rng.jitter(shared_.churn_every / 2, shared_.churn_every * 3 / 2);
    co_await sleepFor(pause);
    if (shared_.ending || disconnect_) break;
    std::optional<Ws> second;
    std::vector<std::string> topics{"user_count:" + account_.id};
    std::string ticket;
    std::string error = co_await joinWithTicket(second, topics, ticket);
    if (!error.empty()) {
      if (!shared_.ending) churn_failures_.push_back(error);
      continue;
    }
    ++shared_.churn_ok;
    shared_.drop->put({ticket, account_.source.to_string()});
    beast::get_lowest_layer(*second).expires_after(10s);
    beast::error_code ec;
    co_await second->async_close(websocket::close_code::normal, asio::redirect_error(asio::use_awaitable, ec));
  }
}

}  // namespace sg::attack
