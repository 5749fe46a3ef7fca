// The blocking-work pool: runs what is posted; stop() drops what is still queued and
// waits for what is running.
#include "core/work_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <memory>
#include <thread>

namespace sg {
namespace {

TEST(WorkPool, RunsPostedTasks) {
  WorkPool pool(2);
  std::promise<int> done;
  pool.post([&done] { done.set_value(42); });
  EXPECT_EQ(done.get_future().get(), 42);
}

TEST(WorkPool, StopDropsQueuedTasksAndWaitsForTheRunningOne) {
  WorkPool pool(1);
  std::promise<void> started, release;
  auto release_future = release.get_future();
  std::atomic<bool> first_finished{false};
  pool.post([&] {
    started.set_value();
    release_future.wait();
    first_finished = true;
  });
  started.get_future().wait();
  // Queued behind the running task: must never run, and its captures must be freed.
  std::atomic<int> ran{0};
  auto witness = std::make_shared<int>(0);
  std::weak_ptr<int> weak = witness;
  for (int i = 0; i < 5; ++i) pool.post([&ran, witness] { ++ran; });
  witness.reset();
  EXPECT_EQ(pool.queued(), 5u);

  auto stopping = std::async(std::launch::async, [&pool] { pool.stop(); });
  // The only thread is busy: the queue empties only when stop() takes it.
  while (pool.queued() != 0) std::this_thread::yield();
  release.set_value();
  stopping.get();
  EXPECT_TRUE(first_finished);
  EXPECT_EQ(ran, 0);
  EXPECT_TRUE(weak.expired());
  // Later posts are dropped too.
  pool.post([&ran] { ++ran; });
  EXPECT_EQ(ran, 0);
}

}  // namespace
}  // namespace sg
