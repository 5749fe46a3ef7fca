#pragma once
// Admission for password hashing. An argon2id hash costs a tenth of a second of a core
// and 64 MiB, and the login throttles still let each client IP through 30 at once: a few
// dozen addresses could queue minutes of hashing, and every sign-in behind them would
// wait as long. So a client IP may have only `per_ip` logins or registrations waiting or
// being hashed, and at most `total` may wait in all; over either the request is answered
// at once (429 / 503, retry in a second) instead of joining the queue. A Pass holds the
// place until the hashing task is done or dropped.
#include "auth/keyed_table.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>

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
    Pass(HashingGate& gate, KeyedTable<int>::Entry& ip) : gate_(gate), ip_(ip) {}
    HashingGate& gate_;
    KeyedTable<int>::Entry& ip_;  // its count includes this pass, which keeps it in the table
  };

  enum class Refusal { PerIp, Total };
  struct Result {
    std::shared_ptr<Pass> pass;
    std::optional<Refusal> refusal;
  };
  Result enter(const std::string& ip);

  int pending() const;

 private:
  void leave(KeyedTable<int>::Entry& ip);

  const int per_ip_;
  const int total_;
  mutable std::mutex mutex_;
  KeyedTable<int> per_ip_count_;
  int pending_ = 0;
};

}  // namespace sg::auth
