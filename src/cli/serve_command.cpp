// `sockguard serve`: the one place where the modules meet. Nothing here is logic; it
// builds each piece from the configuration and hands it to the pieces that use it.
#include "app/accounts_api.hpp"
#include "app/graphql_api.hpp"
#include "app/graphql_socket_operations.hpp"
#include "app/builtin_channels.hpp"
#include "app/ops_routes.hpp"
#include "app/server_api.hpp"
#include "app/static_site.hpp"
#include "app/store_session_lookup.hpp"
#include "app/ticket_api.hpp"
#include "app/user_count_worker.hpp"
#include "auth/admission.hpp"
#include "auth/api_keys.hpp"
#include "auth/handshake_authenticator.hpp"
#include "auth/hashing_gate.hpp"
#include "auth/memory_revocations.hpp"
#include "auth/origin_policy.hpp"
#include "auth/token_verifier.hpp"
#include "channels/channel_registry.hpp"
#include "cli/commands.hpp"
#include "cli/jwt_settings.hpp"
#include "cluster/redis_cluster.hpp"
#include "cli/secret_key.hpp"
#include "core/clock.hpp"
#include "core/encoding.hpp"
#include "core/work_pool.hpp"
#include "http/client_ip.hpp"
#include "http/router.hpp"
#include "net/server.hpp"
#include "net/shards.hpp"
#include "net/tls_context.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"
#include "obs/redact.hpp"
#include "presence/cluster_broker.hpp"
#include "presence/tracker.hpp"
#include "protocol/longpoll_token.hpp"
#include "protocol/phoenix_endpoint.hpp"
#include "protocol/graphql_ws_endpoint.hpp"
#include "pubsub/hub.hpp"
#include "pubsub/in_process_broker.hpp"
#include "store/postgres_store.hpp"
#include "store/sqlite_store.hpp"
#include "tickets/memory_one_time_markers.hpp"
#include "tickets/memory_ticket_store.hpp"
#include "tickets/ticket_issuer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

namespace sg::cli {
namespace {

int fail(const std::string& message) {
  std::cerr << "sockguard: " << message << "\n";
  return 2;
}

// With no configured origins, the server's own page is the only allowed origin.
std::vector<std::string> ownOrigins(std::string_view scheme, const std::string& host, std::uint16_t port) {
  std::vector<std::string> out{fmt::format("{}://{}:{}", scheme, host, port)};
  if (host == "127.0.0.1") out.push_back(fmt::format("{}://localhost:{}", scheme, port));
  return out;
}

}  // namespace

int runServe(const Config& config) {
  if (auto err = obs::initLogging(config.log.level, config.log.format); !err.empty()) return fail(err);
  std::error_code fs_ec;
  std::filesystem::create_directories(config.server.data_dir, fs_ec);
  if (fs_ec) return fail("server.data_dir: cannot create " + config.server.data_dir + ": " + fs_ec.message());

  std::string error;
  auto forwarded_header = http::parseForwardedHeader(config.auth.forwarded_header);
  if (!forwarded_header) return fail("auth.forwarded_header: unknown header '" + config.auth.forwarded_header + "'");
  auto proxies = http::TrustedProxies::parse(config.auth.trusted_proxies, &error, *forwarded_header);
  if (!proxies) return fail(error);
  auto origins = auth::OriginPolicy::parse(config.auth.allowed_origins, &error);
  if (!origins) return fail(error);
  auto jwt = jwtSettings(config, /*for_signing=*/false, &error);
  if (!jwt) return fail(error);
  auto jwt_verifier = auth::JwtVerifier::create(*jwt, &error);
  if (!jwt_verifier) return fail("auth.jwt_alg " + config.auth.jwt_alg + ": " + error);

  // TLS: the certificate and key are read before anything listens, so that a bad file
  // stops the start with a message naming it (exit status 2).
  std::shared_ptr<net::TlsContext> tls;
  if (!config.server.tls_cert_file.empty()) {
    auto loaded = net::TlsContext::load(config.server.tls_cert_file, config.server.tls_key_file);
    if (!loaded) return fail(loaded.error().message);
    tls = *loaded;
    spdlog::info("TLS certificate {} ({})", tls->certFile(), tls->describe());
  }

  // Accounts and sessions: PostgreSQL when store.database_url is set (shared by the nodes
  // of a cluster), else SQLite in the data dir. Every thread that calls the store (the
  // store pool's and the hashing pool's, which registers and signs in) may hold one
  // connection at a time, so that is the PostgreSQL pool's size.
  constexpr unsigned kStoreThreads = 2, kHashingThreads = 2;
  std::unique_ptr<store::SqliteStore> sqlite;
  std::unique_ptr<store::PostgresStore> postgres;
  if (config.store.database_url.empty()) {
    sqlite = store::SqliteStore::open(config.server.data_dir + "/sockguard.db", &error);
    if (!sqlite) return fail(error);
  } else {
    postgres = store::PostgresStore::open({config.store.database_url, kStoreThreads + kHashingThreads}, &error);
    if (!postgres) return fail("store.database_url: " + error);
    spdlog::info("accounts and sessions in {}", obs::urlForLog(config.store.database_url));
  }
  store::AccountStore& account_store = sqlite ? static_cast<store::AccountStore&>(*sqlite) : *postgres;
  store::SessionStore& session_store = sqlite ? static_cast<store::SessionStore&>(*sqlite) : *postgres;

  SystemClock clock;
  // Blocking work never runs on a shard. Password hashing has a pool of its own, so that
  // session lookups (tickets, cookie handshakes) never queue behind a backlog of hashes.
  // (The gate first: queued hashing tasks hold passes of it until the pool drops them.)
  auth::HashingGate hashing_gate(config.limits.password_hashes_per_ip, config.limits.password_hashes_pending);
  WorkPool pool(kStoreThreads);        // accounts and sessions
  WorkPool hashing(kHashingThreads);   // argon2id, 64 MiB each
  obs::Metrics metrics;
  for (const auto& name : config.log.query_params) {
    if (!obs::Redactor::validLoggedName(name)) return fail("log.query_params: '" + name + "' is not a plain name ([A-Za-z0-9._-])");
  }
  obs::Redactor redactor(config.auth.redact_params, config.log.query_params);
  channels::ChannelRegistry channels;  // filled once the GraphQL operations exist (below)
  auto presence_topics = presence::Tracker::parseTopics(config.channels.presence_topics, &error);
  if (!presence_topics) return fail(error);
  auth::ApiKeys api_keys(config.server.api_keys);
  tickets::MemoryTicketStore memory_tickets(config.auth.ticket_store_max);
  tickets::MemoryOneTimeMarkers memory_markers(config.auth.ticket_store_max);
  auth::MemoryRevocations memory_revocations(clock);
  // A cluster (cluster.redis_url) keeps tickets, markers, revocations and pub/sub in Redis;
  // one node keeps them in memory. validateConfig has refused what a cluster cannot use.
  std::unique_ptr<cluster::RedisCluster> redis;
  if (!config.cluster.redis_url.empty()) {
    redis = std::make_unique<cluster::RedisCluster>(
        *cluster::parseRedisUrl(config.cluster.redis_url, nullptr), clock,
        auth::LoginLimits{config.limits.login_attempts_per_ip, config.limits.login_attempts_per_account_and_ip,
                          config.limits.login_attempts_per_account});
  }
  tickets::TicketStore& ticket_store = redis ? static_cast<tickets::TicketStore&>(redis->tickets()) : memory_tickets;
  tickets::OneTimeMarkers& jti_markers =
      redis ? static_cast<tickets::OneTimeMarkers&>(redis->markers()) : memory_markers;
  auth::Revocations& revocations = redis ? static_cast<auth::Revocations&>(redis->revocations()) : memory_revocations;
  tickets::TicketIssuer ticket_issuer(ticket_store, clock, std::chrono::seconds(config.auth.ticket_ttl_s));
  auth::TokenVerifier tokens(ticket_issuer, jti_markers, revocations, *jwt_verifier, clock);
  app::StoreSessionLookup session_lookup(session_store, pool, clock);
  auth::SessionLookup* sessions = &session_lookup;
  auth::HandshakeAuthenticator authenticator(config.auth, *origins, tokens, sessions);
  auth::Admission admission(config.limits, clock);
  if (redis) admission.setSharedUserCounts(&redis->userCounts());
  const auto& limits = config.limits;
  auth::LoginThrottle logins({limits.login_attempts_per_ip, limits.login_attempts_per_account_and_ip,
                              limits.login_attempts_per_account},
                             clock);
  auth::LoginLimiter& login_limiter = redis ? static_cast<auth::LoginLimiter&>(redis->logins()) : logins;
  auth::RateLimiter registrations_per_ip(limits.registrations_per_ip / 3600.0, limits.registrations_per_ip, clock);

  // The event loops first, then what fans out to them, then the server over both.
  net::Shards shards(config.server.threads);
  pubsub::InProcessBroker in_process_broker;
  pubsub::Broker& broker = redis ? static_cast<pubsub::Broker&>(redis->broker()) : in_process_broker;
  // With presence on, a broker of its own sits between the hub and the cluster's broker:
  // it keeps what the other nodes' sockets are present in (presence/cluster_broker.hpp).
  std::optional<presence::ClusterBroker> presence_broker;
  if (!presence_topics->empty()) presence_broker.emplace(broker, clock);
  pubsub::Hub hub(shards.posters(), presence_broker ? static_cast<pubsub::Broker&>(*presence_broker) : broker);
  std::optional<presence::Tracker> tracker;
  if (presence_broker) {
    tracker.emplace(std::move(*presence_topics), hub, clock);
    presence_broker->attach(*tracker);
  }
  protocol::Endpoints endpoints;
  endpoints.add(std::make_unique<protocol::PhoenixEndpoint>(
      protocol::PhoenixDeps{channels, hub, metrics, tokens, clock, config, tracker ? &*tracker : nullptr}));

  // Long-poll session tokens: signed under the server's secret key, naming this run of this
  // node (a token from another node or an earlier run is told its session is gone).
  auto server_key = loadOrCreateSecretKey(config.server.data_dir, &error);
  if (!server_key) return fail(error);
  protocol::LongPollTokens longpoll_tokens(*server_key, randomToken(8));

  http::Router router;
  net::Server server({config, shards, router, endpoints, admission, authenticator, *proxies, metrics, redactor,
                      tls.get(), config.longpoll.enabled ? &longpoll_tokens : nullptr, &*origins});
  // Every revocation, this node's or (in a cluster) another's, closes the matching sockets here.
  revocations.setOnRevoked([&server](const std::string& user_id, const std::string& session_ref) {
    server.closeConnections(user_id, session_ref, CloseReason::SessionRevoked);
  });
  // A user revocation outlives every credential it voids: sessions and JWTs alike.
  auto credential_lifetime = std::chrono::seconds(std::max(config.app.session_ttl_s, config.auth.jwt_max_age_s));
  obs::Readiness readiness;
  // The database's last answer, kept current by a round trip a second on the store pool
  // (one at a time: a server that does not answer must not fill the pool with probes).
  std::atomic<bool> probing{false};
  if (postgres) {
    readiness.add("postgres", [&postgres] { return postgres->reachable(); });
    server.every(std::chrono::seconds(1), [&postgres, &pool, &probing] {
      if (probing.exchange(true)) return;
      pool.post([&postgres, &probing] {
        postgres->probe();
        probing = false;
      });
    });
  }
  // The cluster's Redis: both connections up (commands, and the subscriptions that bring
  // the other nodes' broadcasts and revocations).
  if (redis) readiness.add("redis", [&redis] { return redis->ready(); });
  app::addOpsRoutes(router, metrics, readiness);
  app::addServerApiRoutes(router, api_keys, hub, metrics,
                          [&revocations, &clock, credential_lifetime](const std::string& user_id) {
                            revocations.revokeUser(user_id, clock.now(), credential_lifetime);
                          });
  app::TicketMintLimits mint_limits(config.limits, std::chrono::seconds(config.auth.ticket_ttl_s), clock);
  app::TicketMinting minting(ticket_issuer, tokens, mint_limits);
  app::addTicketRoutes(router, {minting, tokens, api_keys, *origins, sessions});
  auto accounts = std::make_shared<app::AccountsService>(app::AccountsDeps{
      account_store, session_store, session_lookup, pool, hashing, hashing_gate, clock, config.app, login_limiter, registrations_per_ip,
      [&revocations, &clock, &config](const std::string& user_id, const std::string& session_ref) {
        revocations.revokeSession(user_id, session_ref, clock.now() + std::chrono::seconds(config.app.session_ttl_s));
      }});
  app::addAccountRoutes(router, accounts, *origins);
  auto graphql = std::make_shared<app::GraphqlService>(accounts, minting, sessions);
  app::addGraphqlRoutes(router, graphql, *origins);
  app::GraphqlSocketOperations graphql_sockets(graphql, channels, shards.size());
  app::registerAbsintheChannel(channels, graphql_sockets, shards.size());
  if (auto err = app::registerBuiltinChannels(channels, config.channels); !err.empty()) return fail(err);
  endpoints.add(std::make_unique<protocol::GraphqlWsEndpoint>(
      protocol::GraphqlWsDeps{graphql_sockets, hub, metrics, tokens, sessions, clock, config}));
  metrics.extras.push_back({"sockguard_graphql_streams", "GraphQL subscription streams (distinct document, variables, topic) with listeners",
                            "gauge", [&graphql_sockets] { return static_cast<double>(graphql_sockets.liveStreams()); }});
  metrics.extras.push_back({"sockguard_graphql_event_executions_total", "GraphQL subscription executions (one per stream, broadcast and shard)",
                            "counter", [&graphql_sockets] { return static_cast<double>(graphql_sockets.eventExecutions()); }});
  app::UserCountWorker user_count(hub, pool, metrics);
  server.every(std::chrono::milliseconds(config.app.user_count_interval_ms), [&user_count] { user_count.tick(); });
  app::addStaticRoutes(router);
  metrics.extras.push_back({"sockguard_password_hashes_pending", "Logins and registrations waiting for or in hashing",
                            "gauge", [&hashing_gate] { return static_cast<double>(hashing_gate.pending()); }});
  // (In a cluster Redis holds every node's tickets: no one node knows how many.)
  if (!redis) {
    metrics.extras.push_back({"sockguard_tickets_live", "One-time tickets minted and not yet used or expired", "gauge",
                              [&ticket_store] { return static_cast<double>(ticket_store.size()); }});
  }
  metrics.extras.push_back({"sockguard_deliveries_total", "Broadcasts handed to subscribed sockets", "counter",
                            [&hub] { return static_cast<double>(hub.deliveries()); }});
  if (tracker) {
    metrics.extras.push_back({"sockguard_presences", "Presence metas tracked on this node (one per socket and topic)",
                              "gauge", [&tracker] { return static_cast<double>(tracker->size()); }});
    metrics.extras.push_back({"sockguard_presence_nodes", "Other nodes this node hears presence heartbeats from",
                              "gauge", [&presence_broker] { return static_cast<double>(presence_broker->nodes()); }});
    server.every(std::chrono::seconds(1), [&presence_broker] { presence_broker->tick(); });
  }
  metrics.extras.push_back({"sockguard_broadcast_backlog", "Broadcasts waiting for their shard", "gauge",
                            [&hub] { return static_cast<double>(hub.backlog()); }});
  // Expired tickets are kept a minute longer, so that a late presentation is told
  // token_expired rather than token_invalid (DESIGN §4); put() still drops them when full.
  server.every(std::chrono::seconds(1), [&memory_tickets, &memory_markers, &memory_revocations, &mint_limits, &clock] {
    memory_tickets.sweep(clock.now() - std::chrono::seconds(60));
    memory_markers.sweep(clock.now());
    memory_revocations.sweep();
    mint_limits.sweep();
  });

  std::uint16_t port = 0;
  try {
    port = server.bind();
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  std::string host = config.server.listen.substr(0, config.server.listen.rfind(':'));
  std::string_view http_scheme = tls ? "https" : "http";
  std::string_view ws_scheme = tls ? "wss" : "ws";
  if (config.auth.allowed_origins.empty()) *origins = *auth::OriginPolicy::parse(ownOrigins(http_scheme, host, port), &error);
  std::string node_name = config.cluster.node_name.empty() ? fmt::format("{}:{}", host, port) : config.cluster.node_name;
  if (redis) {
    obs::setLogNode(node_name);
    redis->start(node_name, [&admission] { return admission.userCounts(); });
    server.every(std::chrono::seconds(5), [&redis] { redis->userCounts().heartbeat(); });
    std::string label = "node=\"" + obs::prometheusLabelValue(node_name) + "\"";
    metrics.extras.push_back({"sockguard_node_info", "This node of the cluster (cluster.node_name)", "gauge",
                              [] { return 1.0; }, label});
    metrics.extras.push_back({"sockguard_redis_ready", "1 while both Redis connections are up", "gauge",
                              [&redis] { return redis->ready() ? 1.0 : 0.0; }, label});
    metrics.extras.push_back({"sockguard_redis_publishes_lost_total",
                              "Broadcasts accepted while Redis was up whose PUBLISH then failed", "counter",
                              [&redis] { return static_cast<double>(redis->broker().lostPublishes()); }, label});
    spdlog::info("cluster node {} on {}", node_name, cluster::parseRedisUrl(config.cluster.redis_url, nullptr)->describe());
  }

  std::cout << fmt::format(
                   "sockguard 0.1.0 listening on {11}://{0}:{1}\n"
                   "  web page:    {11}://{0}:{1}/\n"
                   "  socket:      {12}://{0}:{1}/socket/websocket (Phoenix Channels, vsn 1.0.0 and 2.0.0){13}\n"
                   "  graphql:     {11}://{0}:{1}/api/graphql (HTTP, and {12}:// with graphql-transport-ws); GraphiQL at /graphiql\n"
                   "  data:        {2}\n"
                   "  shards:      {3}\n"
                   "  credentials: ticket (POST /api/socket/ticket, {4} s), JWT {5} in Sec-WebSocket-Protocol{6}, "
                   "first-message auth ({7} s){8}\n"
                   "  origins:     {9}\n"
                   "  server API:  {10}\n",
                   host, port,
                   std::filesystem::absolute(config.server.data_dir).string() +
                       (postgres ? "; accounts and sessions in " + obs::urlForLog(config.store.database_url) : ""),
                   shards.size(),
                   config.auth.ticket_ttl_s, config.auth.jwt_alg, config.auth.query_token ? " and ?token=" : "",
                   config.auth.auth_timeout_s, config.auth.allow_anonymous ? ", anonymous (public topics)" : "",
                   fmt::join(origins->entries(), ", "),
                   api_keys.empty() ? "disabled (set server.api_keys)" : "enabled", http_scheme, ws_scheme,
                   config.longpoll.enabled ? "; long-poll at /socket/longpoll" : "")
            << std::flush;
  server.run();
  if (presence_broker) presence_broker->goodbye();
  // Their callbacks post into the server's event loops: stop them first.
  hashing.stop();
  pool.stop();
  if (redis) redis->stop();  // its answers post into the shards too
  shards.shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace sg::cli
