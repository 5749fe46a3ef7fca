#include "net/tls_error.hpp"

#include <openssl/err.h>

#include <stdexcept>

namespace sg::net {
namespace {

// Value used when OpenSSL failed without saying why (an empty error queue).
constexpr int kUnspecified = 1;

class TlsCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sockguard.tls"; }
  std::string message(int ev) const override {
    if (ev == kUnspecified) return "TLS protocol error";
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ev));
    return reason ? reason : "TLS error " + std::to_string(ev);
  }
};

}  // namespace

const boost::system::error_category& tlsCategory() {
  static const TlsCategory category;
  return category;
}

boost::system::error_code takeTlsError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  // OpenSSL 3 packs library (8 bits) and reason (23 bits) below bit 31: it fits an int.
  int value = code == 0 ? kUnspecified : static_cast<int>(code & 0x7fffffffUL);
  return {value, tlsCategory()};
}

void throw_exception_from_error(const TlsError& e, const boost::source_location&) {
  throw std::runtime_error(e.message);
}

}  // namespace sg::net
