#pragma once
// The seam for login throttling (issue 10 §6): one node uses LoginThrottle (in memory); a
// cluster keeps the same buckets and known addresses in Redis, so that the limits hold
// for attempts spread over every node. Answers through a callback, inline or later from
// another thread.
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string_view>

namespace sg::auth {

class LoginLimiter {
 public:
  // nullopt: go ahead; a duration: how long until an attempt would be admitted (429);
  // Errc::unavailable: cannot tell (503, never an unthrottled attempt).
  using AdmitDone = std::function<void(boost::system::result<std::optional<std::chrono::milliseconds>>)>;

  virtual ~LoginLimiter() = default;
  // Counts an attempt to sign in to `account` (a normalised e-mail) from `ip`. A refused
  // attempt costs nothing.
  virtual void admitAttempt(std::string_view account, std::string_view ip, AdmitDone done) = 0;
  // The password was right (or the account was just made from `ip`): the attempt is
  // forgiven and `ip` becomes one of the account's known addresses.
  virtual void succeeded(std::string_view account, std::string_view ip) = 0;
};

}  // namespace sg::auth
