#pragma once
// One published message, shared read-only by every shard and subscriber that delivers it.
// Each protocol encodes it at most once, on first use, and every socket speaking that
// protocol shares the frame: a broadcast to 10 000 sockets serializes once per codec, not
// 10 000 times. pubsub/ knows no protocol: codecs are opaque ids that protocols register.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace sg::pubsub {

// A slot in every broadcast's encoding cache, one per wire encoding (e.g. Phoenix V2 text).
using CodecId = std::uint8_t;
inline constexpr std::size_t kMaxCodecs = 8;

// Hands out the next free slot; call once per encoding, at start (a function-local static).
// Aborts past kMaxCodecs: that is a programming error, not an input.
CodecId registerCodec(std::string_view name);

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

  // The frame for `codec`, built by `encode` the first time any thread asks for it.
  const Frame& encoded(CodecId codec, const std::function<std::string()>& encode) const {
    auto& slot = slots_[codec];
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
  mutable std::array<Slot, kMaxCodecs> slots_;
};

using BroadcastPtr = std::shared_ptr<const Broadcast>;

}  // namespace sg::pubsub
