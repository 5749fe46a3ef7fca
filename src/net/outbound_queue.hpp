#pragma once
// Frames waiting to be written to one socket, with a cap on the bytes they hold. Frames
// are shared (a broadcast's frame is the same object in every subscriber's queue), so a
// queue entry costs a pointer and an opcode, not a copy. Kept empty-cheap: an idle
// socket's queue owns no heap memory, and the first waiting frame has a slot inside the
// queue, so the usual flush (one frame per socket: broadcasts come one at a time) neither
// allocates nor frees. The slot costs every socket 24 B.
#include "net/ws_frame.hpp"
#include "pubsub/broadcast.hpp"

#include <boost/container/small_vector.hpp>

#include <cstddef>

namespace sg::net {

class OutboundQueue {
 public:
  struct Item {
    pubsub::Frame frame;
    ws::Opcode opcode;
  };

  explicit OutboundQueue(std::size_t cap_bytes) : cap_(cap_bytes) {}

  // False (and nothing queued) when the frame would take the queue over its cap. A frame
  // larger than the whole cap is still accepted into an empty queue, so one big reply
  // cannot wedge a socket.
  bool push(pubsub::Frame frame, ws::Opcode opcode) {
    std::size_t n = frame->size();
    if (bytes_ + n > cap_ && !empty()) return false;
    pushAnyway(std::move(frame), opcode);
    return true;
  }
  // Past the cap: for the close frame, which must follow whatever is queued.
  void pushAnyway(pubsub::Frame frame, ws::Opcode opcode) {
    bytes_ += frame->size();
    items_.push_back(Item{std::move(frame), opcode});
  }
  bool empty() const { return head_ == items_.size(); }
  const Item& front() const { return items_[head_]; }
  // The i-th waiting item, 0 being the front; i < size().
  const Item& at(std::size_t i) const { return items_[head_ + i]; }
  void pop() {
    bytes_ -= items_[head_].frame->size();
    items_[head_].frame.reset();
    if (++head_ == items_.size()) release();
  }
  // Drops every item, or every item but the front when `keep_front` (it is mid-write).
  void drop(bool keep_front) {
    std::size_t keep = head_ + (keep_front && !empty() ? 1 : 0);
    while (items_.size() > keep) {
      bytes_ -= items_.back().frame->size();
      items_.pop_back();
    }
    if (empty()) release();
  }
  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return items_.size() - head_; }

 private:
  void release() {
    head_ = 0;
    // An idle socket owns no heap memory (thousands of them sit idle): a queue that spilled
    // out of its slot gives the heap back; a busy one pays one allocation per flushed batch
    // of two frames or more, which is nothing beside the batch's system call.
    if (items_.capacity() > kInline) Items().swap(items_);
    else items_.clear();
  }

  static constexpr std::size_t kInline = 1;
  using Items = boost::container::small_vector<Item, kInline>;
  Items items_;
  std::size_t head_ = 0;
  std::size_t bytes_ = 0;
  std::size_t cap_;
};

}  // namespace sg::net
