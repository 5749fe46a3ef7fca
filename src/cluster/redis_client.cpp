#include "cluster/redis_client.hpp"

#include "cluster/redis_link.hpp"
#include "core/errors.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <spdlog/spdlog.h>

#include <cstring>
#include <thread>
#include <unordered_map>

namespace sg::cluster {

namespace asio = boost::asio;

// Subscriptions and hiredis 0.14: it keeps one callback per channel, set when SUBSCRIBE
// is written and deleted when the UNSUBSCRIBE confirmation is read. A SUBSCRIBE written
// between an UNSUBSCRIBE and its confirmation would lose its callback (and its messages)
// to that deletion, so each channel waits for its confirmation before it is subscribed
// again: Idle -> Subscribing -> Subscribed (confirmed) -> Unsubscribing -> Idle. Who waits
// for the confirmation waits for the one of the SUBSCRIBE written last: one that arrives
// while an UNSUBSCRIBE is on its way confirms nothing.
struct RedisClient::Impl {
  enum class State { Idle, Subscribing, Subscribed, Unsubscribing };
  struct Channel {
    bool wanted = false;
    State state = State::Idle;
    std::vector<std::function<void()>> waiting;  // for the confirmation
  };

  Impl(RedisEndpoint endpoint, std::string node)
      : name(std::move(node)),
        commands(ioc, endpoint, name + "/commands", {[this] { connected(); }, nullptr}),
        subscriptions(ioc, endpoint, name + "/subscriptions", {[this] {
                                                                  resubscribe();
                                                                  connected();
                                                                },
                                                                [this] {
                                                                  forget();
                                                                  if (on_subscriptions_lost) on_subscriptions_lost();
                                                                }}) {}

  std::string name;
  asio::io_context ioc{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
  RedisLink commands;
  RedisLink subscriptions;
  std::thread thread;
  bool stopped = false;
  OnMessage on_message;
  std::function<void()> on_connected;
  std::function<void()> on_subscriptions_lost;
  std::unordered_map<std::string, Channel> channels;  // client thread only

  // Either connection came up: once both are, the client is ready (again).
  void connected() {
    if (commands.isReady() && subscriptions.isReady() && on_connected) on_connected();
  }

  void sendSubscription(const char* verb, const std::vector<std::string>& names) {
    auto* c = subscriptions.context();
    if (!c || names.empty()) return;
    std::vector<const char*> argv{verb};
    std::vector<std::size_t> lens{std::strlen(verb)};
    for (const auto& n : names) {
      argv.push_back(n.data());
      lens.push_back(n.size());
    }
    redisAsyncCommandArgv(c, &Impl::onSubscriptionReply, this, static_cast<int>(argv.size()), argv.data(), lens.data());
  }

  void want(const std::string& channel, std::function<void()> confirmed) {
    auto& ch = channels[channel];
    ch.wanted = true;
    if (!subscriptions.context()) {
      if (confirmed) confirmed();  // down: nothing to wait for (see subscribe())
      return;
    }
    if (ch.state == State::Idle) {
      ch.state = State::Subscribing;
      sendSubscription("SUBSCRIBE", {channel});
    }
    if (!confirmed) return;
    if (ch.state == State::Subscribed) confirmed();
    else ch.waiting.push_back(std::move(confirmed));
  }

  static void release(Channel& ch) {
    auto waiting = std::exchange(ch.waiting, {});
    for (auto& confirmed : waiting) confirmed();
  }

  void unwant(const std::string& channel) {
    auto it = channels.find(channel);
    if (it == channels.end()) return;
    it->second.wanted = false;
    if ((it->second.state == State::Subscribing || it->second.state == State::Subscribed) && subscriptions.context()) {
      it->second.state = State::Unsubscribing;
      sendSubscription("UNSUBSCRIBE", {channel});
    } else if (it->second.state == State::Idle) {
      channels.erase(it);
    }
  }

  // The subscription connection is (again) up: every wanted channel, in one command.
  void resubscribe() {
    std::vector<std::string> names;
    for (auto it = channels.begin(); it != channels.end();) {
      if (!it->second.wanted) {
        it = channels.erase(it);
        continue;
      }
      it->second.state = State::Subscribing;
      names.push_back(it->first);
      ++it;
    }
    // Large sets go in slices, so that no single command grows without bound.
    for (std::size_t i = 0; i < names.size(); i += 1000) {
      std::vector<std::string> slice(names.begin() + static_cast<std::ptrdiff_t>(i),
                                     names.begin() + static_cast<std::ptrdiff_t>(std::min(names.size(), i + 1000)));
      sendSubscription("SUBSCRIBE", slice);
    }
    if (!names.empty()) spdlog::info("redis {}: subscribed to {} channels", name, names.size());
  }

  // The connection went: nothing is subscribed any more, and nobody waits for it to come
  // back (what is published meanwhile is lost to this node, subscribed or not).
  void forget() {
    for (auto it = channels.begin(); it != channels.end();) {
      it->second.state = State::Idle;
      release(it->second);
      it = it->second.wanted ? std::next(it) : channels.erase(it);
    }
  }

  static void onSubscriptionReply(redisAsyncContext*, void* r, void* privdata) {
    auto* self = static_cast<Impl*>(privdata);
    auto* reply = static_cast<redisReply*>(r);
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) return;
    std::string_view kind(reply->element[0]->str ? reply->element[0]->str : "", reply->element[0]->len);
    std::string channel(reply->element[1]->str ? reply->element[1]->str : "", reply->element[1]->len);
    if (kind == "message") {
      const auto* payload = reply->element[2];
      if (self->on_message && payload->type == REDIS_REPLY_STRING) {
        self->on_message(channel, std::string(payload->str, payload->len));
      }
    } else if (kind == "subscribe") {
      auto it = self->channels.find(channel);
      if (it == self->channels.end() || it->second.state != State::Subscribing) return;
      it->second.state = State::Subscribed;
      release(it->second);
    } else if (kind == "unsubscribe") {
      auto it = self->channels.find(channel);
      if (it == self->channels.end()) return;
      it->second.state = State::Idle;
      if (it->second.wanted) return self->want(channel, {});
      release(it->second);  // nobody wants it any more: whoever waited has gone too
      self->channels.erase(it);
    }
  }
};

RedisClient::RedisClient(RedisEndpoint endpoint, std::string node_name)
    : impl_(std::make_unique<Impl>(std::move(endpoint), std::move(node_name))) {}

RedisClient::~RedisClient() { stop(); }

void RedisClient::setName(std::string node_name) {
  impl_->name = std::move(node_name);
  impl_->commands.setName(impl_->name + "/commands");
  impl_->subscriptions.setName(impl_->name + "/subscriptions");
}

void RedisClient::setOnSubscriptionsLost(std::function<void()> on_lost) {
  impl_->on_subscriptions_lost = std::move(on_lost);
}

void RedisClient::setOnMessage(OnMessage on_message) { impl_->on_message = std::move(on_message); }
void RedisClient::setOnConnected(std::function<void()> on_connected) { impl_->on_connected = std::move(on_connected); }

void RedisClient::start() {
  asio::post(impl_->ioc, [impl = impl_.get()] {
    impl->commands.start();
    impl->subscriptions.start();
  });
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

void RedisClient::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (!impl_->thread.joinable()) return;
  asio::post(impl_->ioc, [impl = impl_.get()] {
    impl->commands.stop();
    impl->subscriptions.stop();
    impl->ioc.stop();
  });
  impl_->work.reset();
  impl_->thread.join();
}

bool RedisClient::ready() const { return impl_->commands.isReady() && impl_->subscriptions.isReady(); }

// Commands need the command connection only: a node whose subscription connection is
// down can still read and write records (and must, to revoke).
void RedisClient::command(std::vector<std::string> args, Done done) {
  if (!impl_->commands.isReady()) return done(make_error_code(Errc::unavailable));
  asio::post(impl_->ioc, [impl = impl_.get(), args = std::move(args), done = std::move(done)]() mutable {
    impl->commands.command(args, std::move(done));
  });
}

void RedisClient::pipeline(std::vector<std::vector<std::string>> list, Done done) {
  if (!impl_->commands.isReady() || list.empty()) return done(make_error_code(Errc::unavailable));
  asio::post(impl_->ioc, [impl = impl_.get(), list = std::move(list), done = std::move(done)]() mutable {
    // Replies come in order on one connection: the last one ends the pipeline; an earlier
    // failure of the connection fails every one after it too.
    for (std::size_t i = 0; i + 1 < list.size(); ++i) impl->commands.command(list[i], [](RedisResult) {});
    impl->commands.command(list.back(), std::move(done));
  });
}

void RedisClient::subscribe(std::string channel, std::function<void()> confirmed) {
  asio::post(impl_->ioc, [impl = impl_.get(), channel = std::move(channel), confirmed = std::move(confirmed)]() mutable {
    impl->want(channel, std::move(confirmed));
  });
}

void RedisClient::unsubscribe(std::string channel) {
  asio::post(impl_->ioc, [impl = impl_.get(), channel = std::move(channel)] { impl->unwant(channel); });
}

}  // namespace sg::cluster
