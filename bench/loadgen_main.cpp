// sockguard-loadgen: drives a running sockguard server through the bench phases and
// prints the figures (scripts/bench starts the server and calls this).
//
//   1. opens --connections sockets, --concurrency handshakes in flight, each joining
//      room:bench: handshake+join rate and latency;
//   2. after --settle-ms, the server's RSS growth per idle joined connection;
//   3. for each --broadcast SUBS:COUNT:RATE[:BATCH], COUNT broadcasts through POST /api/broadcast
//      (BATCH > 1: that many per request, through POST /api/broadcast/batch)
//      at RATE per second to SUBS subscribers: deliveries, throughput and latency.
//
// With --protocol graphql-ws or absinthe the sockets speak GraphQL instead (graphql-transport-ws
// at /api/graphql, or Absinthe over the Phoenix socket), and each broadcast phase first
// subscribes its audience to `channel(topic:)` with --selections different selections,
// publishes until every subscriber has heard once, then measures as the Phoenix phases do.
// --graphql-http-ms first measures GraphQL queries over HTTP (accountsMe signed in, and
// the introspection query), and --connections 0 skips the sockets altogether.
// With --subscriber-port the sockets are spread over several nodes of a cluster (round
// robin over --port and those), broadcasts still go to --port alone, and --server-pid,
// given once per node, sums their RSS and CPU: the cluster phase of `make bench`.
//
// With --tls the same run goes over wss:// and https:// (every socket makes a full TLS
// handshake; the server's certificate is not verified: the bench's own throwaway one, on
// loopback), and every section heading says which of the two it measured.
//
// One io_context thread: the generator shares the cores with the server, so it must
// spend as little CPU as possible, and one thread needs no locks.
#include "fleet.hpp"
#include "graphql_documents.hpp"
#include "graphql_http.hpp"
#include "http_publisher.hpp"
#include "proc_stats.hpp"
#include "report.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cinttypes>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>

namespace sg::bench {
namespace {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct BroadcastPlan {
  std::size_t subscribers = 0;
  std::uint64_t count = 0;
  double rate_per_s = 0;
  std::size_t batch = 1;  // broadcasts per publish request
};

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string api_key;
  std::vector<pid_t> server_pids;             // RSS and CPU are summed over these
  std::vector<std::uint16_t> subscriber_ports;  // more nodes to spread the sockets over
  std::size_t connections = 10'000;
  std::size_t concurrency = 200;
  std::vector<std::string> broadcasts;  // SUBS:COUNT:RATE[:BATCH]
  std::vector<std::string> source_ips;
  int settle_ms = 1000;
  int connect_timeout_s = 40;
  int drain_timeout_s = 15;  // after the last publish, at most
  int drain_idle_s = 3;      // ...or this long without a new delivery
  int heartbeat_s = 20;      // the server closes sockets silent for 60 s
  bool tls = false;          // wss:// and https:// instead of ws:// and http://
  std::string protocol = "phoenix";  // or "graphql-ws", "absinthe"
  std::size_t selections = 5;        // GraphQL: different selections per audience
  int graphql_http_ms = 0;           // per document; 0: no GraphQL-over-HTTP phase
  std::size_t graphql_http_clients = 4;
};

WireProtocol wireProtocol(const std::string& name) {
  if (name == "graphql-ws") return WireProtocol::graphql_ws;
  if (name == "absinthe") return WireProtocol::absinthe;
  return WireProtocol::phoenix;
}

std::optional<BroadcastPlan> parsePlan(const std::string& text) {
  BroadcastPlan plan;
  char tail = 0;
  int fields = std::sscanf(text.c_str(), "%zu:%" SCNu64 ":%lf:%zu%c", &plan.subscribers, &plan.count,
                           &plan.rate_per_s, &plan.batch, &tail);
  if ((fields != 3 && fields != 4) || plan.subscribers == 0 || plan.rate_per_s < 0 || plan.batch == 0 ||
      plan.batch > 1000) {
    return std::nullopt;
  }
  return plan;
}

asio::awaitable<void> sleepFor(Clock::duration d) {
  asio::steady_timer timer(co_await asio::this_coro::executor, d);
  boost::system::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

// Waits for a condition the fleet's handlers change. Polling every few milliseconds is
// cheaper than it sounds and needs no signalling from the per-message hot path.
//
// Coroutine arguments here are named lvalues passed by reference, never temporaries:
// GCC 12 destroys a class-type temporary in a co_await expression twice
// (seen here as a crash in a coroutine frame's parameter destructor).
asio::awaitable<bool> waitUntil(const std::function<bool()>& done, Clock::time_point deadline) {
  while (!done()) {
    if (Clock::now() >= deadline) co_return false;
    co_await sleepFor(5ms);
  }
  co_return true;
}

class Bench {
 public:
  // `tls` (set for --tls) must outlive the bench.
  Bench(asio::io_context& ioc, Options options, std::vector<BroadcastPlan> plans, asio::ssl::context* tls)
      : options_(std::move(options)), plans_(std::move(plans)), protocol_(wireProtocol(options_.protocol)),
        scheme_(protocol_ == WireProtocol::graphql_ws ? "graphql-transport-ws"
                : protocol_ == WireProtocol::absinthe ? "absinthe"
                : tls                                 ? "wss://"
                                                      : "ws://"),
        server_(asio::ip::make_address(options_.host), options_.port),
        fleet_(ioc, makeTargets(tls), sourceAddresses()), publisher_(ioc, server_, options_.api_key, tls),
        heartbeat_timer_(ioc) {}

  asio::awaitable<void> run() {
    if (options_.graphql_http_ms > 0) co_await graphqlHttp();
    if (options_.connections == 0) {
      heartbeat_timer_.cancel();
      co_return;
    }
    auto rss_before = rssKib();
    co_await openConnections();
    // Not for the GraphQL runs: scripts/bench runs them on a server that held the Phoenix
    // run's sockets just before, whose freed memory they reuse, so RSS growth says nothing.
    if (protocol_ == WireProtocol::phoenix) {
      co_await sleepFor(std::chrono::milliseconds(options_.settle_ms));
      printMemory(scheme_, rss_before, rssKib(), fleet_.connectStats().joined);
    }
    std::fflush(stdout);

    for (const auto& plan : plans_) {
      co_await broadcastPhase(plan);
      std::fflush(stdout);
    }
    printEnd(scheme_, options_.connections, fleet_.openSockets(), fleet_.droppedAfterJoin(), fleet_.dropReasons(),
             fleet_.serverNotices());
    heartbeat_timer_.cancel();
    fleet_.abortAll();
  }

  asio::awaitable<void> heartbeats() {
    for (;;) {
      heartbeat_timer_.expires_after(std::chrono::seconds(options_.heartbeat_s));
      boost::system::error_code ec;
      co_await heartbeat_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      fleet_.sendHeartbeats();
    }
  }

 private:
  std::vector<ClientTarget> makeTargets(asio::ssl::context* tls) const {
    std::vector<ClientTarget> out;
    std::vector<std::uint16_t> ports{options_.port};
    ports.insert(ports.end(), options_.subscriber_ports.begin(), options_.subscriber_ports.end());
    for (auto port : ports) {
      out.push_back({asio::ip::tcp::endpoint(server_.address(), port), options_.host + ":" + std::to_string(port),
                     protocol_ == WireProtocol::graphql_ws ? "/api/graphql" : "/socket/websocket?vsn=2.0.0", protocol_,
                     tls});
    }
    return out;
  }
  std::optional<long> rssKib() const {
    long sum = 0;
    for (auto pid : options_.server_pids) {
      auto kib = readRssKib(pid);
      if (!kib) return std::nullopt;
      sum += *kib;
    }
    return sum;
  }
  std::vector<asio::ip::address> sourceAddresses() const {
    std::vector<asio::ip::address> out;
    for (const auto& ip : options_.source_ips) out.push_back(asio::ip::make_address(ip));
    return out;
  }

  asio::awaitable<void> openConnections() {
    fmt::print(stderr, "loadgen: opening {} connections\n", options_.connections);
    auto cpu_from = sampleCpu(options_.server_pids);
    // Absinthe's sockets join its control channel; graphql-transport-ws ones join nothing.
    fleet_.open(options_.connections, options_.concurrency,
                protocol_ == WireProtocol::absinthe ? "__absinthe__:control" : "room:bench");
    std::function<bool()> opened = [this] { return !fleet_.opening(); };
    co_await waitUntil(opened, Clock::now() + std::chrono::seconds(options_.connect_timeout_s));
    printConnect(scheme_, fleet_.connectStats(), options_.concurrency,
                 cpuBetween(cpu_from, sampleCpu(options_.server_pids)), fleet_.tlsSession(),
                 protocol_ == WireProtocol::graphql_ws   ? "connection_init"
                 : protocol_ == WireProtocol::absinthe ? "join __absinthe__:control"
                                                       : "join");
  }

  // GraphQL over HTTP: sign up once (the cookie the signed-in query sends), then each
  // document under the query load, with the server's CPU over it.
  asio::awaitable<void> graphqlHttp() {
    std::string origin = "http://" + options_.host + ":" + std::to_string(options_.port);
    std::string email = "bench-" + std::to_string(Clock::now().time_since_epoch().count()) + "@example.com";
    std::string signup = R"({"query":"mutation($e: String!, $p: String!) { accountsRegister(email: $e, password: $p) )"
                         R"({ account { id } } }","variables":{"e":)" +
                         boost::json::serialize(boost::json::string(email)) + R"(,"p":"bench-password-1"}})";
    // Named arguments, no temporaries in the co_await (see waitUntil).
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}, {"Origin", origin}};
    std::string method = "POST", target = "/api/graphql";
    HttpAnswer answer = co_await httpRequest(server_, method, target, signup, headers);
    std::string cookie;
    for (const auto& set : answer.set_cookies) {
      if (set.starts_with("_sockguard_session=")) cookie = set.substr(0, set.find(';'));
    }
    if (cookie.empty()) {
      fmt::print("== graphql http: sign-up failed ({} {}{}), no signed-in figures\n", answer.status,
                 answer.body.substr(0, 160), answer.error);
    }
    struct Document {
      std::string_view name;
      std::string_view query;
      std::string_view expect;
      bool signed_in;
    };
    const std::vector<Document> documents = {
        {"accountsMe (signed in: a session look-up)", kAccountsMeQuery, R"("email":)", true},
        {"GraphiQL's introspection query", kIntrospectionQuery, R"("__schema":)", false},
    };
    for (const auto& doc : documents) {
      if (doc.signed_in && cookie.empty()) continue;
      QueryLoad load;
      load.body = R"({"query":)" + boost::json::serialize(boost::json::string(doc.query)) + "}";
      load.cookie = doc.signed_in ? cookie : "";
      load.origin = origin;
      load.expect = doc.expect;
      load.clients = options_.graphql_http_clients;
      load.duration = std::chrono::milliseconds(options_.graphql_http_ms);
      fmt::print(stderr, "loadgen: {} over HTTP\n", doc.name);
      auto cpu_from = sampleCpu(options_.server_pids);
      QueryLoadResult result = co_await runQueryLoad(server_, load);
      printQueryLoad({doc.name, load.clients, load.body.size(), &result,
                      cpuBetween(cpu_from, sampleCpu(options_.server_pids))});
      std::fflush(stdout);
    }
  }

  asio::awaitable<void> broadcastPhase(const BroadcastPlan& plan) {
    if (protocol_ != WireProtocol::phoenix) co_return co_await graphqlBroadcastPhase(plan);
    fmt::print(stderr, "loadgen: {} broadcasts to {} subscribers at {}/s, {} per request\n", plan.count,
               plan.subscribers, plan.rate_per_s, plan.batch);
    // Every socket is in room:bench; a smaller audience gets a topic of its own, joined
    // once: a second join of a topic makes the server close and re-open the channel.
    std::size_t open_sockets = fleet_.openSockets();
    std::size_t subscribers = std::min(plan.subscribers, open_sockets);
    std::string topic = subscribers < open_sockets ? "room:bench-" + std::to_string(subscribers) : "room:bench";
    std::size_t refused = 0;
    if (auto known = audiences_.find(topic); known != audiences_.end()) {
      subscribers = known->second;
    } else if (topic != "room:bench") {
      fleet_.joinFirst(subscribers, topic);
      std::function<bool()> answered = [this] { return fleet_.joinsPending() == 0; };
      co_await waitUntil(answered, Clock::now() + 10s);
      refused = fleet_.joinsRefused();
      subscribers -= refused + fleet_.joinsPending();
      audiences_[topic] = subscribers;
    }

    fleet_.beginReceive(topic);
    co_await measure(plan, topic, subscribers, refused);
  }

  // A GraphQL audience: the first SUBS sockets subscribe to channel(topic: "room:gql-SUBS")
  // once, the selections taking turns; then broadcasts are published until every
  // subscriber has heard one (graphql-transport-ws does not confirm a subscription, and
  // either protocol's is live only once the server has set it up).
  asio::awaitable<void> graphqlBroadcastPhase(const BroadcastPlan& plan) {
    std::size_t subscribers = std::min(plan.subscribers, fleet_.openSockets());
    std::string topic = "room:gql-" + std::to_string(subscribers);
    std::string id = topic;  // the operation id (graphql-transport-ws) or the doc push's ref
    auto queries = channelSelections(topic, options_.selections);
    fmt::print(stderr, "loadgen: {} broadcasts to {} {} subscribers ({} selections) at {}/s, {} per request\n",
               plan.count, subscribers, scheme_, queries.size(), plan.rate_per_s, plan.batch);
    std::size_t refused = 0;
    bool absinthe = protocol_ == WireProtocol::absinthe;
    // graphql-transport-ws: `next` messages under our operation id; Absinthe: data on the
    // subscription's own topic (one per selection).
    std::string receive_topic = absinthe ? "__absinthe__:doc:" : id;
    if (auto known = audiences_.find(topic); known != audiences_.end()) {
      subscribers = known->second;
      fleet_.beginReceive(receive_topic, absinthe);
    } else {
      fleet_.subscribeFirst(subscribers, id, queries);
      std::function<bool()> answered = [this] { return fleet_.subscribesPending() == 0; };
      co_await waitUntil(answered, Clock::now() + 10s);
      fleet_.beginReceive(receive_topic, absinthe);
      auto deadline = Clock::now() + 10s;
      PublishPlan probe{topic, "probe", 1, 0, 1};
      std::size_t heard_goal = 0;
      std::function<bool()> all_heard = [&] { return fleet_.heardFrom() >= heard_goal; };
      while (Clock::now() < deadline) {
        heard_goal = subscribers - std::min(subscribers, fleet_.subscribesRefused());
        co_await publisher_.publish(probe);
        if (co_await waitUntil(all_heard, std::min(deadline, Clock::now() + 250ms))) break;
      }
      refused = fleet_.subscribesRefused();
      std::size_t live = fleet_.heardFrom();
      if (live + refused < subscribers) {
        fmt::print(stderr, "loadgen: only {} of {} subscriptions heard a probe\n", live, subscribers);
      }
      subscribers = live;
      audiences_[topic] = subscribers;
      co_await sleepFor(300ms);  // probes still in flight land before the count starts
      fleet_.beginReceive(receive_topic, absinthe);
    }
    std::string counter = "sockguard_graphql_event_executions_total";
    auto before = co_await readCounter(server_, counter);
    co_await measure(plan, topic, subscribers, refused);
    auto after = co_await readCounter(server_, counter);
    printExecutions(before, after, last_published_, queries.size());
  }

  // Publishes the plan's broadcasts to `topic`, waits for the deliveries, prints.
  asio::awaitable<void> measure(const BroadcastPlan& plan, const std::string& topic, std::size_t subscribers,
                                std::size_t refused) {
    auto cpu_from = sampleCpu(options_.server_pids);
    PublishPlan publish_plan{topic, "bench", plan.count, plan.rate_per_s, plan.batch};
    // Twice the planned publishing time: room for a slow server, but bounded.
    double planned_s = plan.rate_per_s > 0 ? static_cast<double>(plan.count) / plan.rate_per_s : 5.0;
    publish_plan.time_cap = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(5.0, 2 * planned_s)));
    PublishResult published = co_await publisher_.publish(publish_plan);
    last_published_ = published.accepted;
    std::uint64_t expected = published.accepted * subscribers;
    auto hard_deadline = Clock::now() + std::chrono::seconds(options_.drain_timeout_s);
    std::uint64_t last_count = fleet_.receiveStats().received;
    auto last_progress = Clock::now();
    std::function<bool()> drained = [&] {
      auto received = fleet_.receiveStats().received;
      if (received >= expected) return true;
      if (received != last_count) {
        last_count = received;
        last_progress = Clock::now();
      }
      return Clock::now() - last_progress > std::chrono::seconds(options_.drain_idle_s);
    };
    co_await waitUntil(drained, hard_deadline);
    auto cpu_to = sampleCpu(options_.server_pids);
    if (plan.batch > 1) fmt::print("  (published {} broadcasts per request, POST /api/broadcast/batch)\n", plan.batch);
    printBroadcast({scheme_, subscribers, topic, plan.count, plan.rate_per_s, &published, &fleet_.receiveStats(),
                    refused, options_.drain_timeout_s, cpuBetween(cpu_from, cpu_to)});
  }

  Options options_;
  std::vector<BroadcastPlan> plans_;
  WireProtocol protocol_;
  std::uint64_t last_published_ = 0;  // broadcasts accepted in the latest phase
  std::string_view scheme_;  // "ws://" or "wss://", at the head of every section
  asio::ip::tcp::endpoint server_;
  Fleet fleet_;
  HttpPublisher publisher_;
  asio::steady_timer heartbeat_timer_;
  std::map<std::string, std::size_t> audiences_;  // topics joined for a phase, with their subscribers
};

}  // namespace
}  // namespace sg::bench

int main(int argc, char** argv) {
  using namespace sg::bench;
  Options options;
  CLI::App app{"sockguard-loadgen: opens Phoenix sockets against a running sockguard and prints figures"};
  app.add_option("--host", options.host, "server address (127.0.0.0/8 only)");
  app.add_option("--port", options.port, "server port")->required();
  app.add_option("--api-key", options.api_key, "server API key for POST /api/broadcast")->required();
  app.add_option("--server-pid", options.server_pids,
                 "server process id, for RSS and CPU from /proc (once per node: summed)")->required();
  app.add_option("--subscriber-port", options.subscriber_ports,
                 "other nodes' ports: sockets are spread round robin over --port and these, broadcasts go to --port");
  app.add_option("--connections", options.connections, "sockets to open and join")->capture_default_str();
  app.add_option("--concurrency", options.concurrency, "handshakes in flight")->capture_default_str();
  app.add_option("--broadcast", options.broadcasts, "a broadcast phase, SUBS:COUNT:RATE[:BATCH] (broadcasts per second; BATCH per request, default 1)");
  app.add_option("--source-ip", options.source_ips, "source addresses to spread sockets over (127.0.0.x)");
  app.add_option("--settle-ms", options.settle_ms, "wait before reading RSS")->capture_default_str();
  app.add_option("--connect-timeout-s", options.connect_timeout_s)->capture_default_str();
  app.add_option("--drain-timeout-s", options.drain_timeout_s)->capture_default_str();
  app.add_option("--drain-idle-s", options.drain_idle_s)->capture_default_str();
  app.add_option("--heartbeat-s", options.heartbeat_s)->capture_default_str();
  app.add_option("--protocol", options.protocol, "the sockets' protocol: phoenix, graphql-ws or absinthe")
      ->check(CLI::IsMember({"phoenix", "graphql-ws", "absinthe"}))
      ->capture_default_str();
  app.add_option("--selections", options.selections, "GraphQL: different selections per audience (1-5)")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  app.add_option("--graphql-http-ms", options.graphql_http_ms, "GraphQL over HTTP: milliseconds per document (0: none)")
      ->capture_default_str();
  app.add_option("--graphql-http-clients", options.graphql_http_clients, "GraphQL over HTTP: keep-alive clients")
      ->capture_default_str();
  app.add_flag("--tls", options.tls, "wss:// and https://, trusting whatever certificate the server shows (loopback only)");
  CLI11_PARSE(app, argc, argv);

  std::vector<BroadcastPlan> plans;
  for (const auto& text : options.broadcasts) {
    auto plan = parsePlan(text);
    if (!plan) {
      fmt::print(stderr, "--broadcast: expected SUBS:COUNT:RATE[:BATCH], got '{}'\n", text);
      return 2;
    }
    plans.push_back(*plan);
  }
  // Traffic stays on this machine: the figures are about the server, not a network.
  std::vector<std::string> addresses = options.source_ips;
  addresses.push_back(options.host);
  for (const auto& text : addresses) {
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(text, ec);
    if (ec || !address.is_loopback()) {
      fmt::print(stderr, "'{}': the load generator only uses loopback addresses\n", text);
      return 2;
    }
  }

  // The client side of --tls. No verification: the server is this machine's (loopback
  // is enforced above) and shows the bench's throwaway self-signed certificate. ALPN
  // offers http/1.1, as a browser opening a WebSocket does.
  std::optional<boost::asio::ssl::context> tls;
  if (options.tls) {
    tls.emplace(boost::asio::ssl::context::tls_client);
    tls->set_verify_mode(boost::asio::ssl::verify_none);
    static constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    if (SSL_CTX_set_alpn_protos(tls->native_handle(), kAlpn, sizeof kAlpn) != 0) {
      fmt::print(stderr, "loadgen: cannot set ALPN on the TLS context\n");
      return 2;
    }
  }

  boost::asio::io_context ioc(1);
  Bench bench(ioc, options, std::move(plans), tls ? &*tls : nullptr);
  boost::asio::co_spawn(ioc, bench.heartbeats(), boost::asio::detached);
  boost::asio::co_spawn(ioc, bench.run(), [&ioc](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        fmt::print(stderr, "loadgen: {}\n", e.what());
      }
    }
    ioc.stop();  // the aborted sockets' handlers need not run: the process ends
  });
  ioc.run();
  return 0;
}
