#pragma once
// The server's event loops, one per core ("shards"): an io_context and, once Server::run
// starts, a thread each. Made before the server, so that what fans out to them (the
// pub/sub hub) can be built first and handed to the server. No Asio in this header.
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace sg::net {

struct Shard;

class Shards {
 public:
  using Task = std::function<void()>;
  using Post = std::function<void(Task)>;

  explicit Shards(int threads);  // 0: one per core
  ~Shards();
  Shards(const Shards&) = delete;
  Shards& operator=(const Shards&) = delete;

  std::size_t size() const { return list_.size(); }
  // Runs `task` on shard `shard`'s thread. Any thread.
  void post(std::size_t shard, Task task);
  // One Post per shard, in order (for pubsub::Hub).
  std::vector<Post> posters();

  Shard& at(std::size_t shard) { return *list_.at(shard); }

  // Destroys the event loops, and with them the connections that outlived the shutdown's
  // grace period. Call after the server has run and nothing posts to the shards any more,
  // while what the connections use (hub, metrics, server) still exists.
  void shutdown();

 private:
  std::vector<std::unique_ptr<Shard>> list_;
};

}  // namespace sg::net
