#pragma once
// One published message, shared read-only by every shard and subscriber that delivers it.
// The wire encoding is computed once per format on first use and then shared, so a
// broadcast to 10 000 sockets serializes once, not 10 000 times.
#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace sg::pubsub {

// Frame formats a subscriber may ask for; a slot each in the encoding cache.
enum class WireFormat : std::uint8_t { PhoenixV1, PhoenixV2, PhoenixV2Binary };
inline constexpr std::size_t kWireFormatCount = 3;

using Frame = std::shared_ptr<const std::string>;

class Broadcast {
 public:
  Broadcast(std::string topic, std::string event, std::string payload, bool binary)
      : topic_(std::move(topic)), event_(std::move(event)), payload_(std::move(payload)),
        binary_(binary) {}

  const std::string& topic() const { return topic_; }
  const std::string& event() const { return event_; }
  // Serialized JSON when !binary(), raw bytes otherwise.
  const std::string& payload() const { return payload_; }
  bool binary() const { return binary_; }

  // The frame for `format`, built by `encode` the first time any thread asks for it.
  const Frame& encoded(WireFormat format, const std::function<std::string()>& encode) const {
    auto& slot = slots_[static_cast<std::size_t>(format)];
    std::call_once(slot.once, [&] { slot.frame = std::make_shared<const std::string>(encode()); });
    return slot.frame;
  }

 private:
  struct Slot {
    mutable std::once_flag once;
    mutable Frame frame;
  };
  std::string topic_, event_, payload_;
  bool binary_;
  mutable std::array<Slot, kWireFormatCount> slots_;
};

using BroadcastPtr = std::shared_ptr<const Broadcast>;

}  // namespace sg::pubsub
