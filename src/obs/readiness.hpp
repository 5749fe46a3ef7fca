#pragma once
// Readiness (GET /readyz): named probes, one per external back end this node needs
// (PostgreSQL, Redis). The node is ready when every probe says so; with none registered
// (memory + SQLite) it always is. A probe answers from memory, without I/O, because
// /readyz is answered on a shard: each back end keeps its own answer current (a periodic
// round trip on the work pool, or its client's connection state).
//
// Liveness (/healthz) is not this: a node whose database is down is alive, keeps its open
// sockets, and must not be restarted for it.
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sg::obs {

class Readiness {
 public:
  using Probe = std::function<bool()>;
  struct Check {
    std::string name;
    bool ready;
  };

  // Registered while the server is built; a name already present is replaced.
  void add(std::string name, Probe probe) {
    std::lock_guard lock(mutex_);
    for (auto& [n, p] : probes_) {
      if (n == name) {
        p = std::move(probe);
        return;
      }
    }
    probes_.emplace_back(std::move(name), std::move(probe));
  }

  // Each probe's answer, in registration order.
  std::vector<Check> check() const {
    std::lock_guard lock(mutex_);
    std::vector<Check> out;
    out.reserve(probes_.size());
    for (const auto& [name, probe] : probes_) out.push_back({name, probe()});
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::pair<std::string, Probe>> probes_;
};

}  // namespace sg::obs
