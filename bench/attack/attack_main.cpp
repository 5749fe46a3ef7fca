// sockguard-attack: the attack run of issue 5, against a running server (scripts/attack
// starts one on default limits and calls this). All at once, for --duration-s:
//
//   - idle sockets that never authenticate, re-opened when closed (idle_swarm);
//   - handshakes with bad or replayed credentials at a steady rate, and replay races
//     (bad_ticket_flood);
//   - slowloris HTTP connections (slowloris);
//   - oversized frames, broken framing, junk JSON and floods (junk_sender);
//   - password guessing at the login endpoint (login_flood);
//
// while legitimate clients sign in, get a ticket, connect, join and receive numbered
// broadcasts published through POST /api/broadcast (legit_fleet). It prints the figures
// and a verdict on counts and memory (attack_report); the exit status is 0 for a pass,
// 1 for a failure, 2 when the run could not tell.
//
// Two io_context threads: the attackers on one, the legitimate clients, the publisher
// and the measurements on the other, so that the attackers' load on this process cannot
// pass for the server's slowness.
#include "addresses.hpp"
#include "attack_options.hpp"
#include "attack_report.hpp"
#include "proc_stats.hpp"

#include <CLI/CLI.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string_view>
#include <thread>

namespace sg::attack {
namespace {

// Numbered broadcasts go out for at least this long, to clients that have all joined.
constexpr Clock::duration kMinPublishing = 3s;
// How much longer than --duration-s the attack may go on while legitimate clients join.
constexpr Clock::duration kSettleGrace = 60s;

class AttackRun {
 public:
  AttackRun(asio::io_context& legit_ioc, asio::io_context& attack_ioc, std::thread& attack_thread,
            const AttackOptions& options, std::string jwt_secret)
      : legit_ioc_(legit_ioc),
        attack_ioc_(attack_ioc),
        attack_thread_(attack_thread),
        o_(options),
        jwt_secret_(std::move(jwt_secret)),
        target_{asio::ip::tcp::endpoint(asio::ip::make_address(o_.host), o_.port),
                fmt::format("{}:{}", o_.host, o_.port), fmt::format("http://{}:{}", o_.host, o_.port)},
        watch_(o_.server_pid) {}

  asio::awaitable<int> run() {
    RunFigures figures;
    figures.options = &o_;
    LegitPlan legit_plan;
    legit_plan.clients = o_.legit_clients;
    legit_plan.sources = loopbackRange(o_.legit_first_ip, o_.legit_clients);
    legit_plan.spread = std::chrono::seconds(o_.legit_spread_s);
    legit_plan.churn_every = std::chrono::seconds(o_.churn_s);
    LegitFleet fleet(legit_ioc_.get_executor(), target_, legit_plan, drop_);

    progress("registering {} legitimate accounts", o_.legit_clients);
    auto setup_from = Clock::now();
    VictimSession victim;
    std::string error = co_await fleet.registerAccounts(victim);
    if (!error.empty()) {
      fmt::print(stderr, "attack: set-up failed: {}\n", error);
      co_return 2;
    }
    figures.setup_s = seconds(Clock::now() - setup_from);
    figures.server.baseline_kib = bench::readRssKib(o_.server_pid).value_or(0);

    makeAttackers(victim);
    progress("attack starts: {} s", o_.duration_s);
    auto cpu_from = bench::sampleCpu(o_.server_pid);
    auto t0 = Clock::now();
    auto attack_end = t0 + std::chrono::seconds(o_.duration_s);
    // A kind set to zero (--flood-rate 0...) stays off: to see what one kind alone does.
    asio::post(attack_ioc_, [this] {
      if (o_.idle_sockets) idle_->start();
      if (o_.flood_rate > 0) flood_->start();
      if (o_.slowloris) slowloris_->start();
      if (o_.junk_workers) junk_->start();
      if (o_.login_flood_ips) login_flood_->start();
    });
    asio::co_spawn(legit_ioc_, watch_.sample(200ms), asio::detached);

    co_await sleepFor(std::chrono::seconds(o_.legit_after_s));
    progress("legitimate clients sign in");
    fleet.start(Clock::now());
    // The attack lasts at least --duration-s. On a slow machine it goes on until every
    // legitimate client has joined or given up (a minute more at most), so that the
    // verdict counts what the server did, not how fast this machine is.
    auto settle_by = std::max(attack_end - kMinPublishing - 1s, Clock::now()) + kSettleGrace;
    while (!fleet.settled() && Clock::now() < settle_by) co_await sleepFor(20ms);

    // Numbered broadcasts until a second before the attack ends, for a few seconds at least.
    auto window = std::max(kMinPublishing, attack_end - 1s - Clock::now());
    figures.broadcasts_planned =
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>(seconds(window) * o_.broadcast_rate));
    fleet.expectBroadcasts(figures.broadcasts_planned);
    progress("publishing {} broadcasts at {}/s", figures.broadcasts_planned, o_.broadcast_rate);
    bench::HttpPublisher publisher(legit_ioc_, target_.server, o_.api_key);
    bench::PublishPlan plan{legit_plan.room, legit_plan.broadcast_event, figures.broadcasts_planned, o_.broadcast_rate};
    plan.written = &fleet.shared().published;
    plan.time_cap = window + 15s;
    figures.published = co_await publisher.publish(plan);
    co_await sleepFor(attack_end - Clock::now());

    figures.server.cpu = bench::cpuBetween(cpu_from, bench::sampleCpu(o_.server_pid));
    figures.attack_s = seconds(Clock::now() - t0);
    progress("attack over; waiting for late deliveries");
    co_await drain(fleet, figures.published.accepted);
    stopAttackers(figures);
    fleet.end();
    watch_.stop();

    figures.server.metrics = co_await fetchMetrics(target_);
    figures.server.peak_sampled_kib = watch_.peakSampledKib();
    figures.server.peak_kib = bench::readPeakRssKib(o_.server_pid).value_or(0);
    figures.server.alive = watch_.alive();
    figures.legit = fleet.summary(figures.published.accepted);
    figures.legit_shared = &fleet.shared();

    printHeader(figures);
    printReport(figures);
    Verdict verdict = judge(figures);
    printVerdict(verdict);
    co_return verdict.exitStatus();
  }

 private:
  template <typename... Args>
  static void progress(fmt::format_string<Args...> format, Args&&... args) {
    fmt::print(stderr, "attack: {}\n", fmt::format(format, std::forward<Args>(args)...));
  }

  void makeAttackers(const VictimSession& victim) {
    auto ex = attack_ioc_.get_executor();
    std::random_device seed;
    IdleSwarmPlan idle;
    idle.sockets = o_.idle_sockets;
    idle.sources = loopbackRange(o_.idle_first_ip, o_.idle_ips);
    idle_ = std::make_unique<IdleSwarm>(ex, target_, idle, seed());

    FloodPlan flood;
    flood.rate_per_s = o_.flood_rate;
    flood.sources = loopbackRange(o_.flood_first_ip, o_.flood_ips);
    flood.races_per_s = o_.races_per_s;
    flood.race_width = o_.race_width;
    flood.ticket_ttl_s = o_.ticket_ttl_s;
    AttackMaterial material{o_.api_key, jwt_secret_, victim.user_id, victim.cookie, victim.csrf};
    flood_ = std::make_unique<BadTicketFlood>(ex, target_, flood, material, drop_, seed());

    SlowlorisPlan slow;
    slow.connections = o_.slowloris;
    slow.sources = loopbackRange(o_.slowloris_first_ip, o_.slowloris_ips);
    slow.byte_interval = std::chrono::milliseconds(o_.slowloris_byte_ms);
    slowloris_ = std::make_unique<Slowloris>(ex, target_, slow, seed());

    JunkPlan junk;
    junk.workers = o_.junk_workers;
    junk.sources = loopbackRange(o_.junk_first_ip, o_.junk_workers);
    junk.api_key = o_.api_key;
    junk.legit_user_id = victim.user_id;
    junk_ = std::make_unique<JunkSender>(ex, target_, junk, seed());

    LoginFloodPlan logins;
    logins.sources = loopbackRange(o_.login_flood_first_ip, o_.login_flood_ips);
    logins.in_flight_per_source = o_.login_flood_in_flight;
    login_flood_ = std::make_unique<LoginFlood>(ex, target_, logins, seed());
  }

  // Waits until every legitimate client has every accepted broadcast, or nothing new has
  // arrived for 3 s (10 s at most).
  asio::awaitable<void> drain(const LegitFleet& fleet, std::uint64_t accepted) {
    auto deadline = Clock::now() + 10s;
    auto last_change = Clock::now();
    std::uint64_t last = 0;
    for (;;) {
      auto s = fleet.summary(accepted);
      if (s.received >= s.expected || Clock::now() > deadline) co_return;
      if (s.received != last) {
        last = s.received;
        last_change = Clock::now();
      } else if (Clock::now() - last_change > 3s) {
        co_return;
      }
      co_await sleepFor(50ms);
    }
  }

  // Ends the attackers' thread; their figures are read after it has joined.
  void stopAttackers(RunFigures& figures) {
    asio::post(attack_ioc_, [this] {
      idle_->stop();
      flood_->stop();
      slowloris_->stop();
      junk_->stop();
      login_flood_->stop();
    });
    // Let the stop flags land, then end the thread (open attacker sockets stay open
    // until this process exits).
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    attack_ioc_.stop();
    attack_thread_.join();
    figures.idle = idle_->figures();
    figures.flood = flood_->figures();
    figures.slowloris = slowloris_->figures();
    figures.junk = junk_->figures();
    figures.login_flood = login_flood_->figures();
  }

  void printHeader(const RunFigures& figures) const {
    fmt::print("== sockguard attack run: {} s of attack on {}:{} (server pid {}), set-up {:.1f} s\n", o_.duration_s,
               o_.host, o_.port, o_.server_pid, figures.setup_s);
    fmt::print(
        "  {} idle sockets, {:.0f} bad handshakes/s, {} slowloris, {} junk senders, password guessing from {} "
        "addresses; {} legitimate clients, {:.0f} broadcasts/s\n",
        o_.idle_sockets, o_.flood_rate, o_.slowloris, o_.junk_workers, o_.login_flood_ips, o_.legit_clients,
        o_.broadcast_rate);
  }

  asio::io_context& legit_ioc_;
  asio::io_context& attack_ioc_;
  std::thread& attack_thread_;
  AttackOptions o_;
  std::string jwt_secret_;
  Target target_;
  ServerWatch watch_;
  TicketDrop drop_;
  std::unique_ptr<IdleSwarm> idle_;
  std::unique_ptr<BadTicketFlood> flood_;
  std::unique_ptr<Slowloris> slowloris_;
  std::unique_ptr<JunkSender> junk_;
  std::unique_ptr<LoginFlood> login_flood_;
};

std::optional<std::string> readSecret(const std::string& data_dir) {
  std::ifstream in(data_dir + "/secret_key");
  std::string key;
  if (!std::getline(in, key) || key.size() < 32) return std::nullopt;
  return key;
}

}  // namespace
}  // namespace sg::attack

int main(int argc, char** argv) {
  using namespace sg::attack;
  AttackOptions o;
  // --short sets the short run's numbers first; any other option given overrides them.
  bool short_run = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--short") short_run = true;
  }
  if (short_run) o.applyShort();
  CLI::App app{"sockguard-attack: attacks a running sockguard while legitimate clients use it, and judges the result"};
  app.add_option("--host", o.host, "server address (loopback only)");
  app.add_option("--port", o.port, "server port")->required();
  app.add_option("--api-key", o.api_key, "server API key (broadcasts, minting)")->required();
  app.add_option("--server-pid", o.server_pid, "server process id, for RSS and CPU from /proc")->required();
  app.add_option("--data-dir", o.data_dir, "the server's data dir, for its JWT key (secret_key)")->required();
  app.add_flag("--short", short_run, "the short run of make test (15 s, fewer of each kind)");
  app.add_option("--rss-bound-mib", o.rss_bound_mib, "fail when the server's peak RSS is over this");
  app.add_option("--duration-s", o.duration_s);
  app.add_option("--idle-sockets", o.idle_sockets);
  app.add_option("--idle-ips", o.idle_ips);
  app.add_option("--flood-rate", o.flood_rate, "bad-credential handshakes per second");
  app.add_option("--flood-ips", o.flood_ips);
  app.add_option("--slowloris", o.slowloris);
  app.add_option("--junk-workers", o.junk_workers);
  app.add_option("--login-flood-ips", o.login_flood_ips, "addresses guessing passwords (0: off)");
  app.add_option("--login-flood-in-flight", o.login_flood_in_flight, "login requests in flight per address");
  app.add_option("--legit-clients", o.legit_clients);
  app.add_option("--broadcast-rate", o.broadcast_rate);
  app.add_option("--ticket-ttl-s", o.ticket_ttl_s, "the server's auth.ticket_ttl_s");
  CLI11_PARSE(app, argc, argv);
  // Traffic stays on this machine, and every range must exist in 127.0.0.0/8.
  struct Range {
    const char* name;
    const std::string& first;
    std::size_t count;
  };
  // Zero of a kind is allowed (that kind stays off), except legitimate clients.
  for (const Range& r :
       {Range{"idle", o.idle_first_ip, o.idle_ips}, Range{"flood", o.flood_first_ip, o.flood_ips},
        Range{"slowloris", o.slowloris_first_ip, o.slowloris_ips}, Range{"junk", o.junk_first_ip, o.junk_workers},
        Range{"login flood", o.login_flood_first_ip, o.login_flood_ips},
        Range{"legit", o.legit_first_ip, o.legit_clients}}) {
    if (loopbackRange(r.first, r.count).size() != r.count) {
      fmt::print(stderr, "attack: the {} addresses ({} from {}) must be loopback\n", r.name, r.count, r.first);
      return 2;
    }
  }
  if (o.legit_clients == 0) {
    fmt::print(stderr, "attack: at least one legitimate client is needed\n");
    return 2;
  }
  if (loopbackRange(o.host, 1).empty()) {
    fmt::print(stderr, "attack: the server must be on a loopback address\n");
    return 2;
  }
  auto secret = readSecret(o.data_dir);
  if (!secret) {
    fmt::print(stderr, "attack: cannot read {}/secret_key (the server's JWT key)\n", o.data_dir);
    return 2;
  }

  boost::asio::io_context attack_ioc(1);
  auto guard = boost::asio::make_work_guard(attack_ioc);
  std::thread attack_thread([&attack_ioc] { attack_ioc.run(); });
  boost::asio::io_context legit_ioc(1);
  AttackRun run(legit_ioc, attack_ioc, attack_thread, o, *secret);
  int status = 2;
  boost::asio::co_spawn(legit_ioc, run.run(), [&](std::exception_ptr error, int result) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        fmt::print(stderr, "attack: {}\n", e.what());
      }
    } else {
      status = result;
    }
    legit_ioc.stop();
  });
  legit_ioc.run();
  std::fflush(stdout);
  std::fflush(stderr);
  // Thousands of coroutines are still parked on both loops: end without unwinding them.
  std::_Exit(status);
}
