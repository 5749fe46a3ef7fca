#pragma once
// The errors sockguard's own modules return in boost::system::result values. The one
// distinction every caller must keep: `unavailable` (a back end is down or full: answer
// 503 / server_busy and let the client retry) is never a verdict on a credential.
#include <boost/system/error_code.hpp>

#include <type_traits>

namespace sg {

enum class Errc : int {
  unavailable = 1,  // a store or broker cannot answer now (down, timed out)
  full,             // a bounded store or queue is at its limit
  overloaded,       // work waits faster than it is done (broadcast backlog)
  not_found,        // no such credential (unknown, already used)
  expired,          // the credential was real but its time is over
  csrf_mismatch,    // a cookie session presented without its CSRF token
  already_exists,   // a unique key is taken (an account's e-mail, a session id)
};

}  // namespace sg

template <>
struct boost::system::is_error_code_enum<sg::Errc> : std::true_type {};

namespace sg {

const boost::system::error_category& sockguardCategory();

inline boost::system::error_code make_error_code(Errc e) { return {static_cast<int>(e), sockguardCategory()}; }

inline bool operator==(const boost::system::error_code& ec, Errc e) { return ec == make_error_code(e); }

// True for the errors that mean "try again later" rather than "no".
inline bool isTransient(const boost::system::error_code& ec) {
  return ec == Errc::unavailable || ec == Errc::full || ec == Errc::overloaded;
}

}  // namespace sg
