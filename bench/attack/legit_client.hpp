#pragma once
// One legitimate user, acting as its browser page would: signs in (POST
// /api/accounts/login with its Origin), trades the session cookie and CSRF token for a
// ticket, connects with the ticket from its own address, joins its private
// user_count:{id} topic and the shared room the broadcasts go to, sends heartbeats and
// counts every numbered broadcast. Now and then it also opens a second socket with a
// fresh ticket, joins, and closes it, so that join latency is sampled all through the
// attack and not only at its start. A real client library (Beast) on purpose: the
// legitimate side behaves by the book.
#include "api_client.hpp"
#include "stats.hpp"
#include "tally.hpp"
#include "target.hpp"
#include "ticket_drop.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <optional>
#include <vector>

namespace sg::attack {

struct LegitAccount {
  std::string email;
  std::string password;
  std::string id;
  asio::ip::address source;
};

// What all legitimate clients share: where to connect, what to join, and the figures
// they add to. One io_context thread: no locks.
struct LegitShared {
  const Target* target = nullptr;
  TicketDrop* drop = nullptr;
  std::string room;             // the broadcasts' topic
  std::string broadcast_event;  // their event name
  Clock::duration heartbeat = 20s;
  Clock::duration churn_every = 15s;  // a second socket this often (0: never)
  bool ending = false;                // the run is over: closes are not disconnects

  bench::LatencyHistogram login;              // POST /api/accounts/login
  bench::LatencyHistogram ticket;             // POST /api/socket/ticket
  bench::LatencyHistogram join;               // TCP connect to the join reply (first and churn sockets)
  bench::LatencyHistogram sign_in_to_joined;  // login start to both joins answered
  bench::LatencyHistogram delivery;           // broadcast published to received
  std::uint64_t churn_ok = 0;
  std::uint64_t retries = 0;    // 429/503 answers to sign-ins and ticket requests, retried as told
  Tally reconnects;             // refused sockets retried as DESIGN §4 advises, by reason
  std::uint64_t published = 0;  // numbered broadcasts written to the server so far
};

class LegitClient {
 public:
  LegitClient(const asio::any_io_executor& ex, LegitAccount account, LegitShared& shared)
      : ex_(ex), account_(std::move(account)), shared_(shared) {}

  // Signs in at `start_at`, connects, joins, then reads until the run ends.
  asio::awaitable<void> run(Clock::time_point start_at);

  // From now on, broadcasts numbered 0..count-1 are expected.
  void expectBroadcasts(std::size_t count) { seen_.assign(count, 0); }

  const LegitAccount& account() const { return account_; }
  bool joined() const { return joined_; }
  // Set when the client never got joined: "stage: reason".
  const std::string& failure() const { return failure_; }
  // Set when a joined socket was closed before the end of the run.
  const std::optional<std::string>& disconnect() const { return disconnect_; }
  std::size_t received() const { return received_; }
  std::size_t duplicates() const { return duplicates_; }
  std::size_t unexpected() const { return unexpected_; }
  // Distinct numbers received of those this client is owed: from the first broadcast
  // published after it joined, up to `count`.
  std::size_t receivedOf(std::size_t count) const;
  std::size_t owedOf(std::size_t count) const { return count > first_owed_ ? count - first_owed_ : 0; }
  const std::vector<std::string>& churnFailures() const { return churn_failures_; }

 private:
  using Ws = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  asio::awaitable<bool> signIn();
  // The request, retried as long as the server answers 429 or 503 with a Retry-After
  // (until the run ends): what a well-behaved client does under load. A server that
  // never lets it through leaves the client not joined at the end, which fails the run.
  asio::awaitable<ApiResponse> callPolitely(const ApiRequest& request);
  asio::awaitable<std::optional<std::string>> requestTicket(std::string& error);

  struct JoinOutcome {
    std::string error;    // empty: joined
    std::string refusal;  // the connect_error's reason, when the server refused the socket
    std::optional<std::int64_t> retry_after_ms;
  };
  // Connects `ws` with `ticket` and joins each of `topics`.
  asio::awaitable<JoinOutcome> connectAndJoin(Ws& ws, const std::string& ticket,
                                              const std::vector<std::string>& topics);
  // A fresh ticket, then connectAndJoin, as a well-behaved client does it (DESIGN §4):
  // after token_expired (the ticket outlived its 10 s on the way) it gets a new ticket
  // and tries again, once; after rate_limited or server_busy it waits retry_after_ms.
  // Any other refusal is the end. Records the join latency; "" or what went wrong.
  asio::awaitable<std::string> joinWithTicket(std::optional<Ws>& ws, const std::vector<std::string>& topics,
                                              std::string& used_ticket);
  asio::awaitable<void> readLoop();
  asio::awaitable<void> heartbeats();
  asio::awaitable<void> churn();
  void onText(std::string_view frame);

  asio::any_io_executor ex_;
  LegitAccount account_;
  LegitShared& shared_;
  std::optional<Ws> ws_;  // re-made for each attempt: a refused stream cannot be reused
  std::string cookie_;    // "_sockguard_session=..."
  std::string csrf_;
  bool joined_ = false;
  std::string failure_;
  std::optional<std::string> disconnect_;
  std::string prefix_;  // of the numbered broadcasts' frames
  std::vector<std::uint8_t> seen_;
  std::size_t first_owed_ = 0;
  std::size_t received_ = 0;
  std::size_t duplicates_ = 0;
  std::size_t unexpected_ = 0;
  std::vector<std::string> churn_failures_;
};

}  // namespace sg::attack
