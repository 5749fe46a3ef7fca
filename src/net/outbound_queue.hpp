#pragma once
// Frames waiting to be written to one socket, with a cap on the bytes they hold. Frames
// are shared (a broadcast's frame is the same object in every subscriber's queue), so a
// queue entry costs a pointer and a flag, not a copy. Kept empty-cheap: an idle socket's
// queue owns no heap memory.
#include "pubsub/broadcast.hpp"

#include <cstddef>
#include <vector>

namespace sg::net {

class OutboundQueue {
 public:
  struct Item {
    pubsub::Frame frame;
    bool binary;
  };

  explicit OutboundQueue(std::size_t cap_bytes) : cap_(cap_bytes) {}

  // False (and nothing queued) when the frame would take the queue over its cap. A frame
  // larger than the whole cap is still accepted into an empty queue, so one big reply
  // cannot wedge a socket.
  bool push(pubsub::Frame frame, bool binary) {
    std::size_t n = frame->size();
    if (bytes_ + n > cap_ && !empty()) return false;
    bytes_ += n;
    items_.push_back(Item{std::move(frame), binary});
    return true;
  }
  bool empty() const { return head_ == items_.size(); }
  const Item& front() const { return items_[head_]; }
  void pop() {
    bytes_ -= items_[head_].frame->size();
    items_[head_].frame.reset();
    if (++head_ == items_.size()) release();
  }
  // Drops everything except the front item (which may be mid-write).
  void dropAllButFront() {
    while (items_.size() > head_ + 1) {
      bytes_ -= items_.back().frame->size();
      items_.pop_back();
    }
  }
  std::size_t bytes() const { return bytes_; }
  std::size_t size() const { return items_.size() - head_; }

 private:
  void release() {
    head_ = 0;
    // Give memory back once a burst is over; keep a small vector for the common case.
    if (items_.capacity() > 16) std::vector<Item>().swap(items_);
    else items_.clear();
  }

  std::vector<Item> items_;
  std::size_t head_ = 0;
  std::size_t bytes_ = 0;
  std::size_t cap_;
};

}  // namespace sg::net
