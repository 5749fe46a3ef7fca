#pragma once
// auth::SessionLookup over the SessionStore: the cookie value is hashed and looked up on
// the work pool, so a shard never waits on SQLite.
#include "auth/session_lookup.hpp"
#include "core/clock.hpp"
#include "core/work_pool.hpp"
#include "store/accounts.hpp"

namespace sg::app {

class StoreSessionLookup final : public auth::SessionLookup {
 public:
  StoreSessionLookup(store::SessionStore& sessions, WorkPool& pool, const Clock& clock)
      : sessions_(sessions), pool_(pool), clock_(clock) {}

  void find(std::string session_id, Done done) override;

 private:
  store::SessionStore& sessions_;
  WorkPool& pool_;
  const Clock& clock_;
};

}  // namespace sg::app
