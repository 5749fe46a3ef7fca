#include "core/close_reason.hpp"

#include <array>

namespace sg {
namespace {

using enum ReconnectAdvice;
// Indexed by CloseReason; keep in the enum's order.
constexpr std::array<CloseInfo, kCloseReasonCount> kTable{{
    {4400, "bad_request", Never, 400},
    {4401, "missing_credentials", AfterSignIn, 401},
    {4401, "token_invalid", WithNewCredentials, 401},
    {4401, "token_expired", WithNewCredentials, 401},
    {4401, "binding_mismatch", WithNewCredentials, 401},
    {4403, "forbidden_origin", Never, 403},
    {4403, "session_revoked", Never, 403},
    {4408, "auth_timeout", Backoff, 408},
    // Not in DESIGN §4's table: a socket silent past the heartbeat limit. Same class as
    // auth_timeout (a timeout; reconnect with backoff).
    {4408, "heartbeat_timeout", Backoff, 408},
    {4429, "rate_limited", AfterRetryAfter, 429},
    {4503, "server_busy", Jitter, 503},
    {4509, "slow_consumer", Backoff, 503},
    {1001, "going_away", Jitter, 503},
    {1008, "policy_violation", Backoff, 400},
    {1009, "message_too_big", Backoff, 413},
    // Not in DESIGN §4's table: the WebSocket layer's own errors (RFC 6455 §7.4.1).
    {1002, "protocol_error", Backoff, 400},
    {1007, "invalid_payload", Backoff, 400},
}};

}  // namespace

const CloseInfo& closeInfo(CloseReason reason) { return kTable[static_cast<std::size_t>(reason)]; }

std::string_view reconnectAdviceName(ReconnectAdvice advice) {
  switch (advice) {
    case Never: return "never";
    case AfterSignIn: return "after_sign_in";
    case WithNewCredentials: return "with_new_credentials";
    case Backoff: return "backoff";
    case AfterRetryAfter: return "after_retry_after";
    case Jitter: return "jitter";
  }
  return "backoff";
}

}  // namespace sg
