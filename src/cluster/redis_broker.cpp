#include "cluster/redis_broker.hpp"

#include "cluster/broadcast_wire.hpp"
#include "core/errors.hpp"

#include <spdlog/spdlog.h>

namespace sg::cluster {

void RedisBroker::subscribe(const std::string& topic, Subscribed subscribed) {
  redis_.subscribe(topicChannel(topic), std::move(subscribed));
}

void RedisBroker::unsubscribe(const std::string& topic) { redis_.unsubscribe(topicChannel(topic)); }

boost::system::result<void> RedisBroker::publish(pubsub::BroadcastPtr message) {
  if (!redis_.ready()) return make_error_code(Errc::unavailable);
  redis_.command({"PUBLISH", topicChannel(message->topic()), encodeBroadcast(*message)}, [this](RedisResult r) {
    if (!r || r->isError()) lost_.fetch_add(1, std::memory_order_relaxed);
  });
  return {};
}

void RedisBroker::publishConfirmed(pubsub::BroadcastPtr message, Published done) {
  redis_.command({"PUBLISH", topicChannel(message->topic()), encodeBroadcast(*message)},
                 [done = std::move(done)](RedisResult r) {
                   if (!r || r->isError()) return done(make_error_code(Errc::unavailable));
                   done({});
                 });
}

void RedisBroker::onRedisMessage(const std::string& channel, std::string_view message) {
  auto topic = channelTopic(channel);
  if (!topic) return;
  auto broadcast = decodeBroadcast(std::move(*topic), message);
  if (!broadcast) return spdlog::warn("redis: a broadcast on {} in a format this node cannot read", channel);
  if (on_message_) on_message_(std::move(broadcast));
}

}  // namespace sg::cluster
