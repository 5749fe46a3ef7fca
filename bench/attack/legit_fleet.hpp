#pragma once
// The legitimate users of the run: their accounts (registered before the attack), their
// sign-ins spread over the first seconds of the attack, and what they saw. Lives on its
// own io_context thread, apart from the attackers, so that the attack's load on this
// tool does not slow the legitimate side down and pass for the server's doing.
#include "legit_client.hpp"
#include "tally.hpp"

#include <memory>
#include <vector>

namespace sg::attack {

struct LegitPlan {
  std::size_t clients = 100;
  std::vector<asio::ip::address> sources;  // one per client
  Clock::duration spread = 5s;             // sign-ins spread over this
  Clock::duration churn_every = 15s;
  Clock::duration heartbeat = 20s;
  std::string room = "room:attack-legit";
  std::string broadcast_event = "seq";
};

// The victim's session, for the attackers' cookie attempts (CSWSH): the cookie its
// registration set and the CSRF token of that session.
struct VictimSession {
  std::string user_id;
  std::string cookie;
  std::string csrf;
};

struct LegitSummary {
  std::size_t clients = 0;
  std::size_t joined = 0;
  Tally failures;     // clients never joined, by stage and reason
  Tally disconnects;  // joined sockets closed before the end, by reason
  Tally churn_failures;
  std::uint64_t churn_ok = 0;
  std::uint64_t retries = 0;
  Tally reconnects;
  std::uint64_t expected = 0;  // broadcasts accepted x clients joined
  std::uint64_t received = 0;  // distinct numbered broadcasts received
  std::uint64_t duplicates = 0;
  std::uint64_t unexpected = 0;
  std::size_t clients_missing_some = 0;
  std::size_t joined_late = 0;  // joined after publishing began: owed only what followed
};

class LegitFleet {
 public:
  LegitFleet(const asio::any_io_executor& ex, const Target& target, LegitPlan plan, TicketDrop& drop);

  // Before the attack: creates the accounts (argon2id, on the server's small pool).
  // Returns what went wrong, or "".
  asio::awaitable<std::string> registerAccounts(VictimSession& victim);
  // Spawns every client, signing in spread from `at`.
  void start(Clock::time_point at);
  // Every client has joined or failed.
  bool settled() const;
  void expectBroadcasts(std::size_t count);
  // The run is over: closes from now on are not disconnects.
  void end() { shared_.ending = true; }

  LegitSummary summary(std::uint64_t broadcasts_accepted) const;
  const LegitShared& shared() const { return shared_; }
  LegitShared& shared() { return shared_; }

 private:
  asio::awaitable<void> registerSome(std::size_t first, std::size_t step, std::string& error, VictimSession& victim);

  asio::any_io_executor ex_;
  const Target& target_;
  LegitPlan plan_;
  LegitShared shared_;
  std::vector<LegitAccount> accounts_;
  std::vector<std::unique_ptr<LegitClient>> clients_;
  std::size_t registered_ = 0;
};

}  // namespace sg::attack
