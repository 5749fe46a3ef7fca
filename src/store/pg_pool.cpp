#include "store/pg_pool.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string_view>

namespace sg::store {
namespace {

boost::system::error_code errc(Errc e) { return make_error_code(e); }

void closeConnection(pg_conn* conn) { PQfinish(conn); }

// The connection's message without its trailing newline. libpq's messages name the host
// and port, never the password.
std::string messageOf(const pg_conn* conn) {
  std::string m = conn ? PQerrorMessage(conn) : "out of memory";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

// An idle connection has nothing to read unless the server has given up on it (shutdown,
// restart, idle timeout: an error message, then end of file). Checked before each use
// without blocking, so that a write is never sent down a connection that is already dead.
bool stillUsable(pg_conn* conn) {
  if (PQstatus(conn) != CONNECTION_OK || PQtransactionStatus(conn) != PQTRANS_IDLE) return false;
  pollfd fd{PQsocket(conn), POLLIN, 0};
  int ready = ::poll(&fd, 1, 0);
  return ready == 0;
}

}  // namespace

PgRows::PgRows(pg_result* result) : result_(result) {}
PgRows::~PgRows() { PQclear(result_); }
int PgRows::rows() const { return PQntuples(result_); }
long PgRows::affected() const { return std::strtol(PQcmdTuples(result_), nullptr, 10); }
std::string PgRows::text(int row, int col) const {
  return std::string(PQgetvalue(result_, row, col), static_cast<std::size_t>(PQgetlength(result_, row, col)));
}

// A slot held by one caller; given back (and the next waiter woken) when it goes.
class PgPool::Lease {
 public:
  Lease(PgPool& pool, Slot& slot) : pool_(&pool), slot_(&slot) {}
  Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(other.slot_) { other.slot_ = nullptr; }
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (slot_) pool_->release(*slot_);
  }
  Slot& slot() { return *slot_; }

 private:
  PgPool* pool_;
  Slot* slot_;
};

PgPool::PgPool(PgPoolSettings settings)
    : settings_(std::move(settings)), slots_(std::max<std::size_t>(1, settings_.size)) {
  settings_.statements.push_back({"sg_probe", "SELECT 1"});
}

PgPool::~PgPool() {
  for (auto& slot : slots_) PQfinish(slot.conn);
}

boost::system::result<PgPool::Connection> PgPool::connectOne(std::string* why) const {
  // The URL is expanded by libpq (expand_dbname); the keywords after it win over the same
  // ones in the URL's query.
  std::string timeout = std::to_string(settings_.connect_timeout_s);
  std::string options = "-c statement_timeout=" + std::to_string(settings_.statement_timeout_ms);
  // Keepalives and tcp_user_timeout: a server that vanishes without closing the connection
  // (host down, network cut) is noticed within seconds rather than when TCP gives up.
  const char* keys[] = {"dbname", "connect_timeout", "application_name", "client_encoding", "options",
                        "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
                        "tcp_user_timeout", nullptr};
  const char* values[] = {settings_.url.c_str(), timeout.c_str(), "sockguard", "UTF8", options.c_str(),
                          "1", "10", "5", "3", "10000", nullptr};
  Connection conn(PQconnectdbParams(keys, values, /*expand_dbname=*/1), closeConnection);
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    *why = messageOf(conn.get());
    return errc(Errc::unavailable);
  }
  return conn;
}

bool PgPool::open(Slot& slot, std::string* why) {
  PQfinish(slot.conn);
  slot.conn = nullptr;
  auto conn = connectOne(why);
  if (!conn) return false;
  for (const auto& s : settings_.statements) {
    PgRows prepared(PQprepare(conn->get(), s.name.c_str(), s.sql.c_str(), 0, nullptr));
    // A statement that does not prepare is a bug in sockguard's SQL or a schema that is not
    // ours; either way this connection cannot serve.
    if (PQresultStatus(prepared.result()) != PGRES_COMMAND_OK) {
      *why = "preparing " + s.name + ": " + messageOf(conn->get());
      return false;
    }
  }
  slot.conn = conn->release();
  return true;
}

void PgPool::release(Slot& slot) {
  {
    std::lock_guard lock(mutex_);
    slot.busy = false;
  }
  freed_.notify_one();
}

boost::system::result<PgPool::Lease> PgPool::acquire() {
  Slot* chosen = nullptr;
  {
    std::unique_lock lock(mutex_);
    auto pick = [&] {
      // An open connection first; a closed slot only when none is free.
      for (auto& s : slots_)
        if (!s.busy && s.conn) return &s;
      for (auto& s : slots_)
        if (!s.busy) return &s;
      return static_cast<Slot*>(nullptr);
    };
    if (!freed_.wait_for(lock, settings_.wait, [&] { return (chosen = pick()) != nullptr; })) {
      return errc(Errc::unavailable);
    }
    chosen->busy = true;
  }
  Lease lease(*this, *chosen);
  if (!chosen->conn || !stillUsable(chosen->conn)) {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto failed = last_failed_connect_.load(std::memory_order_relaxed);
    auto pause = std::chrono::duration_cast<std::chrono::steady_clock::duration>(settings_.reconnect_pause).count();
    if (failed != 0 && now - failed < pause) {
      PQfinish(chosen->conn);
      chosen->conn = nullptr;
      return errc(Errc::unavailable);
    }
    std::string why;
    if (!open(*chosen, &why)) {
      last_failed_connect_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
      markReachable(false, why);
      return errc(Errc::unavailable);
    }
  }
  return lease;
}

boost::system::result<PgRows> PgPool::runOnce(Lease& lease, const std::string& name,
                                              const std::vector<std::string>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  pg_conn* conn = lease.slot().conn;
  PgRows rows(PQexecPrepared(conn, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr, nullptr, 0));
  auto status = PQresultStatus(rows.result());
  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
    markReachable(true, {});
    return rows;
  }
  const char* state = rows.result() ? PQresultErrorField(rows.result(), PG_DIAG_SQLSTATE) : nullptr;
  std::string_view sqlstate = state ? state : "";
  if (sqlstate == "23505") return errc(Errc::already_exists);  // unique_violation
  if (sqlstate == "23503") return errc(Errc::not_found);       // foreign_key_violation
  if (PQstatus(conn) != CONNECTION_OK) {
    // Gone (server shut down, network lost): the slot reconnects at its next use.
    markReachable(false, messageOf(conn));
    PQfinish(conn);
    lease.slot().conn = nullptr;
  } else {
    // The server answered with an error (statement timeout, a full disk, a bug in our SQL):
    // the caller says server_busy, the log says why, at a rate a flood cannot raise.
    std::uint64_t suppressed = 0;
    if (error_log_.allow(suppressed)) {
      spdlog::warn("PostgreSQL {} failed ({}): {}{}", name, sqlstate, messageOf(conn),
                   suppressed ? fmt::format(" ({} similar lines suppressed)", suppressed) : std::string());
    }
  }
  return errc(Errc::unavailable);
}

boost::system::result<PgRows> PgPool::run(const std::string& name, const std::vector<std::string>& params,
                                          Retry retry) {
  for (int attempt = 0;; ++attempt) {
    auto lease = acquire();
    if (!lease) return lease.error();
    auto result = runOnce(*lease, name, params);
    bool broke = !result && lease->slot().conn == nullptr;
    if (result || !broke || retry == Retry::No || attempt > 0) return result;
  }
}

void PgPool::markReachable(bool reachable, const std::string& why) {
  // Logged on each change only: a database that is down for a minute is one warning, not
  // one per request. libpq's messages name host, port and user, never the password.
  if (reachable_.exchange(reachable, std::memory_order_relaxed) == reachable) return;
  if (reachable) spdlog::info("PostgreSQL reachable");
  else spdlog::warn("PostgreSQL unreachable: {}", why);
}

bool PgPool::probe() { return run("sg_probe", {}, Retry::OnBrokenConnection).has_value(); }

}  // namespace sg::store
