#pragma once
// The numbers of an attack run, with the full run's defaults. `--short` is the version
// `make test` runs: the same attackers for 15 s, fewer legitimate clients. Every kind of
// traffic has a source range of its own in 127.0.0.0/8 (see addresses.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace sg::attack {

struct AttackOptions {
  // The server.
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string api_key;
  pid_t server_pid = 0;
  std::string data_dir;  // for secret_key, the server's JWT key
  int ticket_ttl_s = 10;

  int duration_s = 60;    // of the attack; set-up before and drain after come on top
  int legit_after_s = 5;  // the legitimate clients sign in once the attack is under way

  std::size_t idle_sockets = 5000;
  std::string idle_first_ip = "127.0.0.2";
  std::size_t idle_ips = 125;  // 40 sockets per address: over the 32 pending per IP

  double flood_rate = 500;
  std::string flood_first_ip = "127.0.0.130";
  std::size_t flood_ips = 50;  // 10 handshakes/s per address, under the 20/s per IP
  double races_per_s = 3;      // ticket races, jti races and cookie controls in turn
  int race_width = 4;          // sockets presenting one credential at once

  std::size_t slowloris = 1000;
  std::string slowloris_first_ip = "127.0.0.200";
  std::size_t slowloris_ips = 20;
  int slowloris_byte_ms = 1000;

  std::size_t login_flood_ips = 20;  // password guessing at the login endpoint
  std::string login_flood_first_ip = "127.0.2.1";
  int login_flood_in_flight = 4;  // per address: over the 2 the server hashes at once per IP

  std::size_t junk_workers = 20;
  std::string junk_first_ip = "127.0.0.230";

  std::size_t legit_clients = 100;
  std::string legit_first_ip = "127.0.1.1";  // one address per client
  int legit_spread_s = 20;                   // 5 sign-ins a second: within what argon2id allows two cores
  int churn_s = 15;
  double broadcast_rate = 20;

  long rss_bound_mib = 512;

  // --short: the version `make test` runs. The same attackers at the same strength for
  // 15 s (long enough for auth_timeout and the request timeout to close their sockets),
  // fewer legitimate clients and password guessers so that every sign-in fits in.
  void applyShort() {
    duration_s = 15;
    legit_after_s = 3;
    slowloris_byte_ms = 500;
    login_flood_ips = 10;
    legit_clients = 20;
    legit_spread_s = 4;
    churn_s = 4;
  }
};

}  // namespace sg::attack
