#pragma once
// A small pool of libpq connections to one PostgreSQL database, used from WorkPool threads
// (every call blocks). Connections are opened on first use, get the caller's prepared
// statements at connect, and are replaced when they break: a server restart costs no
// sockguard restart. A connection is checked before use (has the server closed it while it
// sat idle?), so a write is not sent down a dead socket; a read that still meets a broken
// connection is retried once on a new one.
//
// Errors: Errc::unavailable (cannot connect, connection lost, statement timeout, no free
// connection within the wait), Errc::already_exists (unique violation), Errc::not_found
// (foreign key violation). libpq stays out of this header.
#include "core/errors.hpp"
#include "obs/log_throttle.hpp"

#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct pg_conn;    // PGconn
struct pg_result;  // PGresult

namespace sg::store {

// A statement prepared on every connection of the pool, run by name.
struct PgStatement {
  std::string name;
  std::string sql;
};

// One result's rows as text (libpq's text format), freed with it.
class PgRows {
 public:
  explicit PgRows(pg_result* result);
  ~PgRows();
  PgRows(PgRows&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgRows& operator=(PgRows&&) = delete;
  PgRows(const PgRows&) = delete;

  int rows() const;
  // Rows changed by an INSERT/UPDATE/DELETE.
  long affected() const;
  std::string text(int row, int col) const;
  pg_result* result() const { return result_; }

 private:
  pg_result* result_;
};

struct PgPoolSettings {
  std::string url;                  // postgresql://user:password@host:port/db
  std::size_t size = 4;             // connections at most; each WorkPool thread needs at most one
  std::chrono::milliseconds wait{2000};  // for a free connection before answering unavailable
  int connect_timeout_s = 3;        // libpq connect_timeout
  // After a failed connect, calls answer unavailable at once for this long rather than each
  // trying again: against a server that does not answer at all, every try would hold a
  // work-pool thread for connect_timeout_s while lookups queue behind it.
  std::chrono::milliseconds reconnect_pause{250};
  int statement_timeout_ms = 5000;  // server-side limit on one statement
  std::vector<PgStatement> statements;
};

class PgPool {
 public:
  explicit PgPool(PgPoolSettings settings);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  enum class Retry : bool { No, OnBrokenConnection };
  // Runs the prepared statement `name` with text parameters. Pass Retry::OnBrokenConnection
  // only for statements that may run twice (reads): a write whose connection broke mid-way
  // may have been committed.
  boost::system::result<PgRows> run(const std::string& name, const std::vector<std::string>& params,
                                    Retry retry = Retry::No);

  // A connection of its own, outside the pool (migrations, which hold a session-level
  // advisory lock): the connection, or the server's message (never the password).
  using Connection = std::unique_ptr<pg_conn, void (*)(pg_conn*)>;
  boost::system::result<Connection> connectOne(std::string* why) const;

  // Runs `SELECT 1` on a pooled connection: the same check /readyz reports.
  bool probe();
  // Whether the last statement or probe reached the server (no I/O: /readyz reads it on a
  // shard).
  bool reachable() const { return reachable_.load(std::memory_order_relaxed); }

 private:
  struct Slot {
    pg_conn* conn = nullptr;
    bool busy = false;
  };
  class Lease;

  boost::system::result<Lease> acquire();
  bool open(Slot& slot, std::string* why);
  void markReachable(bool reachable, const std::string& why);
  boost::system::result<PgRows> runOnce(Lease& lease, const std::string& name, const std::vector<std::string>& params);
  void release(Slot& slot);

  PgPoolSettings settings_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<Slot> slots_;
  std::atomic<bool> reachable_{false};
  std::atomic<std::chrono::steady_clock::rep> last_failed_connect_{0};  // steady_clock ticks; 0: none
  obs::LogThrottle error_log_{1, 5};
};

}  // namespace sg::store
