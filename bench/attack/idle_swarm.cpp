#include "idle_swarm.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace sg::attack {

void IdleSwarm::start() {
  for (std::size_t i = 0; i < plan_.sockets; ++i) asio::co_spawn(ex_, slot(i), asio::detached);
}

asio::awaitable<void> IdleSwarm::slot(std::size_t index) {
  const auto& source = plan_.sources[index % plan_.sources.size()];
  co_await sleepFor(plan_.ramp * static_cast<Clock::rep>(index) / static_cast<Clock::rep>(plan_.sockets));
  while (!stopping_) {
    auto conn = RawConn::create(ex_);
    // Only a server that never answers would hit this; auth_timeout comes much sooner.
    conn->expiresAfter(60s);
    // Bare sockets are held only for clients that read connect_error: the swarm says it does.
    std::string request =
        upgradeRequest(target_.host, "/socket/websocket?vsn=2.0.0&sockguard_refusal=connect_error", {}, rng_);
    SocketResult result;
    ++figures_.attempts;
    if (co_await openSocket(*conn, target_, source, request, result)) {
      ++figures_.upgraded;
      figures_.peak_open = std::max(figures_.peak_open, ++figures_.open);
      auto upgraded_at = Clock::now();
      co_await readUntilClosed(*conn, result, 0);
      --figures_.open;
      if (result.notice == "auth_timeout") figures_.held.record((Clock::now() - upgraded_at).count());
    }
    conn->close();
    // Which per-IP limit refused it: a cap (retry when a sibling closes, 10 s) or the
    // handshake rate (retry in a moment).
    if (result.label == "4429 rate_limited" && result.retry_after_ms) {
      result.label += *result.retry_after_ms >= 5000 ? ": over a cap" : ": handshake rate";
    }
    ++figures_.endings[result.label];
    auto pause = rng_.jitter(plan_.reopen_min, plan_.reopen_max);
    co_await sleepFor(pause);
  }
}

}  // namespace sg::attack
