#pragma once
// A few threads for blocking work (SQLite, password hashing) so that no shard ever
// waits on a disk or a deliberately slow hash. Results go back through callbacks, which
// post onto the caller's shard themselves.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace sg {

class WorkPool {
 public:
  explicit WorkPool(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
  }
  ~WorkPool() { stop(); }

  // Drops what is still queued, waits for the tasks already running, and joins the
  // threads; later posts are dropped too. Call it before destroying anything the tasks
  // report back to (the server's event loops). Queued work is not run: at shutdown its
  // answers could not be delivered anyway, and a backlog of password hashes would hold
  // the exit for as long as it takes to work through.
  void stop() {
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard lock(mutex_);
      if (stopping_ && threads_.empty()) return;
      stopping_ = true;
      dropped.swap(tasks_);
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  // Tasks waiting for a thread.
  std::size_t queued() const {
    std::lock_guard lock(mutex_);
    return tasks_.size();
  }
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;  // stopping
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sg
