#pragma once
// Tasks that run one at a time, in the order posted, on whichever thread posts while none
// is running (that thread then also runs what others post meanwhile). For work whose steps
// may be completed from several threads (a GraphQL execution whose resolvers answer from
// pools) but must never run concurrently; no thread of its own, nothing to stop.
// Made by std::make_shared: the thread running the tasks keeps the object alive, since a
// task may drop the last other reference to it.
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace sg {

class SerialTasks : public std::enable_shared_from_this<SerialTasks> {
 public:
  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      if (running_) {
        queue_.push_back(std::move(task));
        return;
      }
      running_ = true;
    }
    auto keep = shared_from_this();
    for (;;) {
      task();
      std::lock_guard lock(mutex_);
      if (queue_.empty()) {
        running_ = false;
        return;
      }
      task = std::move(queue_.front());
      queue_.pop_front();
    }
  }

 private:
  std::mutex mutex_;
  std::deque<std::function<void()>> queue_;
  bool running_ = false;
};

}  // namespace sg
