#pragma once
// Admission for password hashing. An argon2id hash costs a tenth of a second of a core
// and 64 MiB, and the login throttles still let each client IP through 30 at once: a few
// dozen addresses could queue minutes of hashing, and every sign-in behind them would
// wait as long. So a client IP may have only `per_ip` logins or registrations waiting or
// being hashed, and at most `total` may wait in all; over either the request is answered
// at once (429 / 503, retry in a second) instead of joining the queue. A Pass holds the
// place until the hashing task is done or dropped.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace sg::auth {

class HashingGate {
 public:
  HashingGate(int per_ip, int total) : per_ip_(per_ip), total_(total) {}

  // Gives the places back when the last copy goes (held by the hashing task).
  class Pass {
   public:
    ~Pass();
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    friend class HashingGate;
    Pass(HashingGate& gate, std::string ip) : gate_(gate), ip_(std::move(ip)) {}
    HashingGate& gate_;
    std::string ip_;
  };

  enum class Refusal { PerIp, Total };
  struct Result {
    std::shared_ptr<Pass> pass;
    std::optional<Refusal> refusal;
  };
  Result enter(const std::string& ip);

  int pending() const;

 private:
  void leave(const std::string& ip);

  const int per_ip_;
  const int total_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, int> per_ip_count_;
  int pending_ = 0;
};

}  // namespace sg::auth
