#include "cluster/redis_link.hpp"

#include "cluster/asio_hiredis.hpp"
#include "core/errors.hpp"

#include <hiredis/hiredis.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

namespace sg::cluster {

namespace {
RedisReply copyReply(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER: out.type = RedisReply::Type::Integer; out.integer = r->integer; break;
    case REDIS_REPLY_STRING: out.type = RedisReply::Type::String; break;
    case REDIS_REPLY_STATUS: out.type = RedisReply::Type::Status; break;
    case REDIS_REPLY_ERROR: out.type = RedisReply::Type::Error; break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::Array;
      out.elements.reserve(r->elements);
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(copyReply(r->element[i]));
      break;
    default: out.type = RedisReply::Type::Nil; break;
  }
  if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR) {
    out.str.assign(r->str, r->len);
  }
  return out;
}
}  // namespace

RedisResult toResult(void* reply) {
  if (!reply) return make_error_code(Errc::unavailable);
  return copyReply(static_cast<const redisReply*>(reply));
}

// What a command's callback needs: hiredis calls it exactly once, with null when the
// connection is freed before the reply came.
struct RedisLink::Pending {
  RedisLink* link;
  Done done;
};

RedisLink::RedisLink(boost::asio::io_context& ioc, RedisEndpoint endpoint, std::string name, Hooks hooks)
    : ioc_(ioc), endpoint_(std::move(endpoint)), name_(std::move(name)), hooks_(std::move(hooks)),
      reconnect_timer_(ioc), watchdog_(ioc) {}

RedisLink::~RedisLink() { stop(); }

void RedisLink::start() {
  stopped_ = false;
  connect();
  watch();
}

void RedisLink::stop() {
  stopped_ = true;
  reconnect_timer_.cancel();
  watchdog_.cancel();
  if (auto* c = std::exchange(ctx_, nullptr)) {
    ready_.store(false, std::memory_order_release);
    c->data = nullptr;  // onDisconnect, called by the free, must not reconnect
    redisAsyncFree(c);
  }
}

void RedisLink::connect() {
  if (stopped_) return;
  handshake_failed_ = false;
  // hiredis resolves the host name here, synchronously: configure an address (or a name
  // in /etc/hosts) for Redis.
  redisAsyncContext* c = redisAsyncConnect(endpoint_.host.c_str(), endpoint_.port);
  if (!c) return scheduleReconnect();
  if (c->err || !attachAsio(c, ioc_)) {
    spdlog::warn("redis {}: cannot connect to {}: {}", name_, endpoint_.describe(), c->errstr);
    redisAsyncFree(c);
    return scheduleReconnect();
  }
  c->data = this;
  ctx_ = c;
  redisAsyncSetDisconnectCallback(c, &RedisLink::onDisconnect);
  redisAsyncSetConnectCallback(c, &RedisLink::onConnect);
  // The handshake is queued at once; hiredis writes it when the socket connects.
  std::vector<std::vector<std::string>> steps;
  if (!endpoint_.password.empty()) {
    steps.push_back(endpoint_.user.empty() ? std::vector<std::string>{"AUTH", endpoint_.password}
                                           : std::vector<std::string>{"AUTH", endpoint_.user, endpoint_.password});
  }
  if (endpoint_.db != 0) steps.push_back({"SELECT", std::to_string(endpoint_.db)});
  // Named for CLIENT LIST (an operator's view of which node holds which connection).
  std::string client_name = "sockguard/" + name_;
  for (char& ch : client_name) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == 127) ch = '_';
  }
  steps.push_back({"CLIENT", "SETNAME", client_name});
  steps.push_back({"PING"});
  for (std::size_t i = 0; i < steps.size(); ++i) {
    bool last = i + 1 == steps.size();
    send(steps[i], [this, last](RedisResult r) { handshakeStep(std::move(r), last); });
  }
}

void RedisLink::handshakeStep(RedisResult result, bool last) {
  if (!result) return;  // the connection went: lost() reconnects
  if (result->isError()) {
    // The reply names the failure (WRONGPASS, NOPERM...), never the password.
    if (!handshake_failed_ && loud()) spdlog::error("redis {}: handshake refused: {}", name_, result->str);
    handshake_failed_ = true;
    if (ctx_) redisAsyncDisconnect(ctx_);
    return;
  }
  if (!last || handshake_failed_ || !ctx_) return;
  attempts_ = 0;
  ready_.store(true, std::memory_order_release);
  spdlog::info("redis {}: connected to {}", name_, endpoint_.describe());
  if (hooks_.on_ready) hooks_.on_ready();
}

void RedisLink::onConnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisLink*>(ac->data);
  if (!self || status == REDIS_OK) return;
  // hiredis frees the context after this callback; no onDisconnect follows.
  self->ctx_ = nullptr;
  self->lost(ac->errstr);
}

void RedisLink::onDisconnect(const redisAsyncContext* ac, int status) {
  auto* self = static_cast<RedisLink*>(ac->data);
  if (!self) return;
  self->ctx_ = nullptr;  // freed by hiredis once this returns
  self->lost(status == REDIS_OK ? "closed" : ac->errstr);
}

void RedisLink::lost(const char* why) {
  bool was_ready = ready_.exchange(false, std::memory_order_acq_rel);
  in_flight_.clear();
  if (was_ready) spdlog::warn("redis {}: connection lost ({}); reconnecting", name_, why ? why : "");
  else if (loud()) spdlog::warn("redis {}: cannot connect to {} ({})", name_, endpoint_.describe(), why ? why : "");
  if (was_ready && hooks_.on_down) hooks_.on_down();
  scheduleReconnect();
}

// While Redis stays away the node retries every 2 s: the first failure is logged, then
// about one a minute.
bool RedisLink::loud() const { return attempts_ % 30 == 0; }

void RedisLink::scheduleReconnect() {
  if (stopped_) return;
  auto delay = kBackoffFirst * (1 << std::min(attempts_, 5));
  if (delay > kBackoffMax) delay = kBackoffMax;
  ++attempts_;
  // Up to a quarter more, so that the nodes of a cluster do not all reconnect at once.
  delay += std::chrono::milliseconds(randombytes_uniform(static_cast<std::uint32_t>(delay.count() / 4 + 1)));
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) connect();
  });
}

void RedisLink::watch() {
  watchdog_.expires_after(std::chrono::milliseconds(250));
  watchdog_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    if (ctx_ && !in_flight_.empty() && std::chrono::steady_clock::now() - in_flight_.front() > kCommandTimeout) {
      spdlog::warn("redis {}: no reply for {} ms; dropping the connection", name_, kCommandTimeout.count());
      // Fails every pending command. Detached first: hiredis calls onDisconnect only for a
      // context that had connected, and this one may still be connecting.
      auto* c = std::exchange(ctx_, nullptr);
      c->data = nullptr;
      redisAsyncFree(c);
      lost("timeout");
    }
    watch();
  });
}

void RedisLink::command(const std::vector<std::string>& args, Done done) {
  if (!isReady()) return done(make_error_code(Errc::unavailable));
  send(args, std::move(done));
}

void RedisLink::send(const std::vector<std::string>& args, Done done) {
  if (!ctx_) return done(make_error_code(Errc::unavailable));
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* pending = new Pending{this, std::move(done)};
  if (redisAsyncCommandArgv(ctx_, &RedisLink::onReply, pending, static_cast<int>(argv.size()), argv.data(),
                            lens.data()) != REDIS_OK) {
    auto d = std::move(pending->done);
    delete pending;
    return d(make_error_code(Errc::unavailable));
  }
  in_flight_.push_back(std::chrono::steady_clock::now());
}

void RedisLink::onReply(redisAsyncContext*, void* reply, void* privdata) {
  auto* pending = static_cast<Pending*>(privdata);
  auto done = std::move(pending->done);
  auto* link = pending->link;
  delete pending;
  if (reply && !link->in_flight_.empty()) link->in_flight_.pop_front();
  done(toResult(reply));
}

}  // namespace sg::cluster
