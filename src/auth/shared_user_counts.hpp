#pragma once
// Sockets per user counted across the nodes of a cluster (limits.sockets_per_user holds
// for a user's sockets on every node together). One node needs none of this: Admission
// counts its own. Answers through a callback, from any thread (Redis: a Lua script).
#include <boost/system/result.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace sg::auth {

class SharedUserCounts {
 public:
  // true: counted (the user had fewer than `cap` sockets in the cluster); false: over
  // the cap, nothing counted; Errc::unavailable: cannot tell (refuse server_busy).
  using Done = std::function<void(boost::system::result<bool>)>;
  // This node's own count per user, for putting the shared counts right after an outage.
  using LocalCounts = std::function<std::vector<std::pair<std::string, int>>()>;

  virtual ~SharedUserCounts() = default;
  virtual void acquire(const std::string& user_id, int cap, Done done) = 0;
  // Gives one back. Never fails from the caller's view: the count is put right later.
  virtual void release(const std::string& user_id) = 0;
};

}  // namespace sg::auth
