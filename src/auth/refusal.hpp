#pragma once
// Why a credential or a connection is refused, as a value: the reason from the close
// table (DESIGN §4) and, for rate_limited / server_busy, when to come back. Verdicts are
// results: an accepted value, or a Refusal; never a success with an error beside it.
#include "core/close_reason.hpp"

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <optional>

namespace sg::auth {

struct Refusal {
  CloseReason reason;
  std::optional<int> retry_after_ms;

  bool operator==(const Refusal&) const = default;
};

// What every back-end outage answers: try again shortly, never "invalid".
inline Refusal unavailable() { return Refusal{CloseReason::ServerBusy, 1000}; }

template <class T>
using Verdict = boost::system::result<T, Refusal>;

// For Verdict::value() on a refusal (a programming error: check first).
[[noreturn]] void throw_exception_from_error(const Refusal& refusal, const boost::source_location& where);

}  // namespace sg::auth
