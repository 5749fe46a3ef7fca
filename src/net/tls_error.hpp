#pragma once
// Errors of sockguard's TLS layer (internal to net/):
// - tlsCategory(): the error_code category of TLS protocol failures on a connection
//   (handshake failure, bad record, unsupported protocol...). Its values are OpenSSL's
//   packed error codes; message() is OpenSSL's reason text ("wrong version number").
// - TlsError: why a certificate or key could not be loaded, as a sentence that names the
//   file. Carried by boost::system::result, so .value() throws std::runtime_error with it.
#include <boost/assert/source_location.hpp>
#include <boost/system/error_category.hpp>
#include <boost/system/error_code.hpp>

#include <string>

namespace sg::net {

const boost::system::error_category& tlsCategory();

// The first error on this thread's OpenSSL error queue as an error_code of tlsCategory()
// (a generic "TLS protocol error" when the queue is empty); clears the queue.
boost::system::error_code takeTlsError();

struct TlsError {
  std::string message;
};

[[noreturn]] void throw_exception_from_error(const TlsError& e, const boost::source_location& loc);

}  // namespace sg::net
