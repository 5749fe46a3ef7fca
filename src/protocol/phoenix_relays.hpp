#pragma once
// The relays a Phoenix socket runs for its channels (channels::Relay): each listens to its
// source topic and hands what its transform makes of a broadcast to the socket, which
// encodes it as it encodes a broadcast (once per wire format, the frame shared by every
// socket that relays the same message). Owned by one socket; touched on its shard only.
#include "channels/channel_handler.hpp"
#include "pubsub/pubsub.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sg::protocol {

class PhoenixRelays {
 public:
  // Messages relays make go to `out` (the socket); `pubsub` and `out` outlive this.
  PhoenixRelays(pubsub::PubSub& pubsub, std::size_t shard, pubsub::Subscriber& out);
  ~PhoenixRelays();  // stops every relay
  PhoenixRelays(const PhoenixRelays&) = delete;
  PhoenixRelays& operator=(const PhoenixRelays&) = delete;

  enum class Start : std::uint8_t { Started, AlreadyRunning, TooMany };
  // `owner_topic` and `owner_join_ref` name the join that asked: when it ends, so does the
  // relay (stopOwnedBy). At most `max` relays run at once. `ready` runs (on this shard) once
  // the relay's source topic is subscribed (PubSub::subscribe's Ready), at once when it was
  // already running, never when there are too many.
  Start start(std::shared_ptr<const channels::Relay> relay, std::string owner_topic, std::string owner_join_ref,
              std::size_t max, pubsub::PubSub::Ready ready);
  bool stop(std::string_view id);
  void stopOwnedBy(std::string_view owner_topic, std::string_view owner_join_ref);
  void stopAll();
  std::size_t size() const { return listeners_.size(); }

 private:
  class Listener;
  void unsubscribe(Listener& listener);

  pubsub::PubSub& pubsub_;
  std::size_t shard_;
  pubsub::Subscriber& out_;
  std::vector<std::unique_ptr<Listener>> listeners_;
};

}  // namespace sg::protocol
