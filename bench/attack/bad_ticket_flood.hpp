#pragma once
// Handshakes with bad or replayed credentials at a steady rate: forged and malformed
// tickets, tickets already used by the legitimate clients, expired tickets, tickets
// presented from the wrong IP or Origin, expired/forged/`alg: none` JWTs, a valid JWT
// where the server does not read one, cookies without the CSRF token or from a foreign
// Origin. Every socket that gets upgraded then asks to join the victim's private topic:
// a reply of any kind means the server let a bad credential in.
//
// Beside the flood, replay races: a fresh ticket (or a JWT with a jti) presented on
// several sockets at once, of which exactly one may win. The first win is the control
// that shows this tool can see an acceptance at all; a second win is a failure.
#include "attacker_socket.hpp"
#include "credentials.hpp"
#include "tally.hpp"
#include "ticket_drop.hpp"

#include <deque>
#include <memory>
#include <vector>

namespace sg::attack {

// What the attackers hold: the server API key and JWT key (as a backend would), and a
// victim's identity and session cookie (as a cross-site page would have it sent).
struct AttackMaterial {
  std::string api_key;
  std::string jwt_secret;
  std::string victim_id;
  std::string victim_cookie;  // "_sockguard_session=..."
  std::string victim_csrf;
};

struct FloodPlan {
  double rate_per_s = 500;
  std::vector<asio::ip::address> sources;
  std::size_t max_in_flight = 2000;
  Clock::duration socket_deadline = 10s;
  double races_per_s = 2;  // alternately a ticket race and a jti race
  int race_width = 4;      // presentations of one credential at once
  int ticket_ttl_s = 10;   // the server's, to know when a minted ticket has expired
};

struct FloodFigures {
  std::uint64_t launched = 0;
  std::uint64_t skipped = 0;  // not launched: too many still in flight
  std::size_t in_flight = 0;
  std::size_t peak_in_flight = 0;
  KindTally outcomes;
  std::uint64_t bad_accepted = 0;  // bad credentials that got a reply to their join
  Tally bad_by_kind;
  std::uint64_t controls_tried = 0;
  std::uint64_t controls_accepted = 0;
  std::uint64_t races = 0;
  std::uint64_t races_one_winner = 0;
  std::uint64_t races_no_winner = 0;  // all refused (e.g. rate-limited): not a failure
  std::uint64_t race_extra_wins = 0;  // counted in bad_accepted too
  std::uint64_t mint_failures = 0;
  std::uint64_t legit_replays = 0;
};

class BadTicketFlood {
 public:
  BadTicketFlood(const asio::any_io_executor& ex, const Target& target, FloodPlan plan, AttackMaterial material,
                 TicketDrop& drop, std::uint64_t seed);

  void start();
  void stop() { stopping_ = true; }
  const FloodFigures& figures() const { return figures_; }

 private:
  struct Presentation {
    std::string target;  // path and query
    std::vector<Header> headers;
    std::string join_topic;
    std::string first_message;                // sent before the join (first-message auth)
    std::optional<asio::ip::address> source;  // a ticket bound to an address is presented from it
    bool control = false;                     // a valid credential: expected to be accepted
  };
  struct Race {
    int pending = 0;
    int wins = 0;
  };
  struct Minted {
    std::string ticket;
    asio::ip::address source;
    Clock::time_point expires;
  };

  asio::awaitable<void> launcher();
  asio::awaitable<void> minter();
  asio::awaitable<void> racer();
  asio::awaitable<void> attempt(std::string kind, Presentation p, asio::ip::address source, std::shared_ptr<Race> race);
  void launch(const std::string& kind, Presentation& p, const std::shared_ptr<Race>& race);
  // The presentation for the flood's `n`-th handshake; sets `kind`.
  Presentation next(std::uint64_t n, std::string& kind);
  std::string socketPath(std::string_view params) const;
  asio::ip::address nextSource() { return plan_.sources[source_index_++ % plan_.sources.size()]; }

  asio::any_io_executor ex_;
  const Target& target_;
  FloodPlan plan_;
  AttackMaterial material_;
  JwtForge forge_;
  TicketDrop& drop_;
  Rng rng_;
  bool stopping_ = false;
  std::uint64_t source_index_ = 0;
  std::uint64_t serial_ = 0;              // unique user ids and jtis
  std::deque<std::string> wrong_ip_;      // tickets bound to an address the flood never uses
  std::deque<std::string> wrong_origin_;  // tickets bound to another Origin
  std::deque<Minted> expiring_;           // bound to a flood address, presented once expired
  std::optional<UsedTicket> replaying_;   // a legitimate client's used ticket, replayed twice
  int replays_left_ = 0;
  FloodFigures figures_;
};

}  // namespace sg::attack
