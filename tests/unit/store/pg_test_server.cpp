#include "pg_test_server.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/file.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace sg::store::testing {
namespace {
namespace fs = std::filesystem;

std::string findBin() {
  if (const char* bin = std::getenv("SOCKGUARD_PG_BIN")) return bin;
  std::string best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    auto bin = entry.path() / "bin";
    if (fs::exists(bin / "initdb") && bin.string() > best) best = bin.string();
  }
  return best;
}

int freePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string tail(const std::string& file) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

bool giveToPostgres(const std::string& path) {
  const passwd* pg = ::getpwnam("postgres");
  return pg && ::chown(path.c_str(), pg->pw_uid, pg->pw_gid) == 0;
}

// initdb is most of a server's start (seconds here) and makes the same cluster every time,
// while ctest runs each test in a process of its own: one cluster is made per binary
// directory and password (under a file lock, since tests may run in parallel), kept in the
// temporary directory, and copied by each server. Empty with *why when initdb fails.
std::string initdbOnce(const std::string& bin, const std::string& runner, std::string* why) {
  why->clear();
  auto base = fs::path(::testing::TempDir()) /
              ("sockguard-pg-cluster-" + std::to_string(::geteuid()) + "-" +
               std::to_string(std::hash<std::string>{}(bin + kPgTestPassword)));
  int lock = ::open((base.string() + ".lock").c_str(), O_CREAT | O_RDWR, 0600);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    *why = "cannot lock " + base.string() + ".lock";
    if (lock >= 0) ::close(lock);
    return {};
  }
  std::string data = (base / "data").string();
  if (!fs::exists(base / "data" / "PG_VERSION") || !fs::exists(base / "complete")) {
    std::error_code ec;
    fs::remove_all(base, ec);
    fs::create_directories(base, ec);
    if (!runner.empty() && !giveToPostgres(base.string())) *why = "cannot give " + base.string() + " to postgres";
    std::ofstream(base / "pwfile") << kPgTestPassword << "\n";
    std::string log = (base / "initdb.log").string();
    std::string initdb = runner + bin + "/initdb -D " + data + " -U sockguard --pwfile=" + (base / "pwfile").string() +
                         " -A scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 > " + log + " 2>&1";
    if (why->empty() && std::system(initdb.c_str()) != 0) *why = "initdb failed: " + tail(log);
    if (why->empty()) std::ofstream(base / "complete") << "ok\n";
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return why->empty() ? data : std::string();
}

}  // namespace

std::unique_ptr<PgTestServer> PgTestServer::start(std::string* why) {
  std::unique_ptr<PgTestServer> server(new PgTestServer());
  server->bin_ = findBin();
  if (server->bin_.empty()) {
    *why = "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin "
           "(apt-get install postgresql, or set SOCKGUARD_PG_BIN)";
    return nullptr;
  }
  std::string templ = (fs::path(::testing::TempDir()) / "sockguard-pg-XXXXXX").string();
  if (!::mkdtemp(templ.data())) {
    *why = "mkdtemp failed";
    return nullptr;
  }
  server->dir_ = templ;
  if (::geteuid() == 0) {
    const passwd* pg = ::getpwnam("postgres");
    if (!pg) {
      *why = "running as root and there is no `postgres` user to run PostgreSQL as";
      return nullptr;
    }
    if (!giveToPostgres(templ)) {
      *why = "cannot give " + templ + " to postgres";
      return nullptr;
    }
    server->runner_ = "runuser -u postgres -- ";
  }
  auto cluster = initdbOnce(server->bin_, server->runner_, why);
  if (cluster.empty()) return nullptr;
  if (std::system((server->runner_ + "cp -a " + cluster + " " + templ + "/data").c_str()) != 0) {
    *why = "cannot copy " + cluster;
    return nullptr;
  }
  server->port_ = freePort();
  if (!server->pgCtl("start")) {
    *why = "pg_ctl start failed: " + tail(templ + "/server.log");
    return nullptr;
  }
  return server;
}

PgTestServer* PgTestServer::shared(std::string* why) {
  static std::mutex mutex;
  static std::unique_ptr<PgTestServer> server;
  static std::string failure;
  std::lock_guard lock(mutex);
  if (!server && failure.empty()) {
    server = start(&failure);
    if (!server && failure.empty()) failure = "could not start PostgreSQL";
  }
  if (!server) *why = failure;
  return server.get();
}

bool PgTestServer::pgCtl(const std::string& action) {
  std::string cmd = runner_ + bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 30 ";
  if (action == "start") {
    cmd += "-o \"-p " + std::to_string(port_) + " -k " + dir_ +
           " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
           " -c max_connections=200\" start";
  } else {
    cmd += "-m fast stop";
  }
  return std::system((cmd + " > /dev/null 2>&1").c_str()) == 0;
}

PgTestServer::~PgTestServer() {
  if (!dir_.empty()) {
    std::system((runner_ + bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate stop > /dev/null 2>&1").c_str());
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

bool PgTestServer::stop() { return pgCtl("stop"); }
bool PgTestServer::restart() { return pgCtl("start"); }

std::string PgTestServer::url(const std::string& database) const {
  return "postgresql://sockguard:" + std::string(kPgTestPassword) + "@127.0.0.1:" + std::to_string(port_) + "/" +
         database;
}

std::string PgTestServer::query(const std::string& database, const std::string& sql, std::string* why) {
  PGconn* conn = PQconnectdb(url(database).c_str());
  std::string out;
  if (PQstatus(conn) != CONNECTION_OK) {
    *why = PQerrorMessage(conn);
  } else {
    PGresult* r = PQexec(conn, sql.c_str());
    auto status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) *why = PQerrorMessage(conn);
    else if (PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
  }
  PQfinish(conn);
  return out;
}

bool PgTestServer::createDatabase(const std::string& name, std::string* why) {
  why->clear();
  query("postgres", "CREATE DATABASE " + name, why);
  return why->empty();
}

}  // namespace sg::store::testing
