#pragma once
// A real PostgreSQL server for the store tests, started by the test itself: initdb and
// pg_ctl (Debian's /usr/lib/postgresql/<version>/bin, or SOCKGUARD_PG_BIN) into a
// temporary directory, listening on 127.0.0.1 on a free port with its unix socket in that
// directory too, a password-protected `sockguard` user. PostgreSQL refuses to run as root:
// under root the directory is given to the `postgres` system user and the tools run as it
// (runuser). When the server cannot be started the tests fail; they never skip. The
// cluster initdb makes is the same every time: it is made once (per user, binary directory
// and password) into the temporary directory and copied for each server.
#include <memory>
#include <string>

namespace sg::store::testing {

inline constexpr const char* kPgTestPassword = "pg-unit-s3cret-password";

class PgTestServer {
 public:
  // Nullptr with *why when initdb or the start fails.
  static std::unique_ptr<PgTestServer> start(std::string* why);
  // One server per test process, started at first use (nullptr, *why, when it cannot be).
  static PgTestServer* shared(std::string* why);
  ~PgTestServer();  // stops the server (immediate) and removes the directory

  bool stop();
  bool restart();
  // postgresql://sockguard:<password>@127.0.0.1:<port>/<database>
  std::string url(const std::string& database) const;
  // A new, empty database; false with *why when it could not be made.
  bool createDatabase(const std::string& name, std::string* why);
  // Runs SQL on `database` (as the test's own client); the first row's first column.
  std::string query(const std::string& database, const std::string& sql, std::string* why);

 private:
  PgTestServer() = default;
  bool pgCtl(const std::string& action);

  std::string dir_;
  std::string bin_;
  std::string runner_;  // "runuser -u postgres -- " when root
  int port_ = 0;
};

}  // namespace sg::store::testing
