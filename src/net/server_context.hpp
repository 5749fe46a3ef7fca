#pragma once
// What every session needs from the server that made it. Internal to net/.
#include "net/longpoll_service.hpp"
#include "net/server.hpp"
#include "net/shard.hpp"

#include <atomic>

namespace sg::net {

struct ServerContext {
  explicit ServerContext(ServerDeps d) : deps(d), longpoll(*this) {}
  ServerDeps deps;
  LongPollService longpoll;
  std::atomic<int> sockets_open{0};  // WebSocket connections alive, for the drain at shutdown
};

}  // namespace sg::net
