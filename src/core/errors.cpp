#include "core/errors.hpp"

#include <string>

namespace sg {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sockguard"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::unavailable: return "back end unavailable";
      case Errc::full: return "store full";
      case Errc::overloaded: return "overloaded";
      case Errc::not_found: return "not found";
      case Errc::expired: return "expired";
      case Errc::csrf_mismatch: return "CSRF token does not match the session";
      case Errc::already_exists: return "already exists";
    }
    return "unknown sockguard error";
  }
};

}  // namespace

const boost::system::error_category& sockguardCategory() {
  static const Category category;
  return category;
}

}  // namespace sg
