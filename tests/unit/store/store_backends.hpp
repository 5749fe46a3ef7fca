#pragma once
// The back ends the store contract runs on, each opened fresh and empty per test: SQLite in
// a temporary file, PostgreSQL in a new database of a server the tests start themselves.
#include "store/accounts.hpp"

#include <memory>
#include <string>

namespace sg::store::testing {

// One opened back end; the stores live as long as it does.
class OpenedStores {
 public:
  virtual ~OpenedStores() = default;
  virtual AccountStore& accounts() = 0;
  virtual SessionStore& sessions() = 0;
};

// `name` is "sqlite" or "postgres"; `test_name` keeps the files or databases of tests apart.
// Fails the current test (and returns nullptr) when the back end cannot be opened.
std::unique_ptr<OpenedStores> openStores(const std::string& name, const std::string& test_name);

}  // namespace sg::store::testing
