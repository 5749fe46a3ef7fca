#include "auth/refusal.hpp"

#include <stdexcept>
#include <string>

namespace sg::auth {

void throw_exception_from_error(const Refusal& refusal, const boost::source_location&) {
  throw std::logic_error("value() of a refused verdict: " + std::string(closeInfo(refusal.reason).name));
}

}  // namespace sg::auth
