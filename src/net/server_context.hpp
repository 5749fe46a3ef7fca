#pragma once
// What every session needs from the server that made it. Internal to net/.
#include "net/server.hpp"
#include "net/shard.hpp"

#include <atomic>
#include <memory>
#include <vector>

namespace sg::net {

struct ServerContext {
  explicit ServerContext(ServerDeps d) : deps(d) {}
  ServerDeps deps;
  pubsub::PubSub* pubsub = nullptr;
  std::vector<std::unique_ptr<Shard>> shards;
  std::atomic<int> sockets_open{0};  // for limits.sockets_total
};

}  // namespace sg::net
