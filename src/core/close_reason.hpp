#pragma once
// The table of DESIGN §4: every way the server refuses or ends a connection, with the
// close code the client sees and what the client should do about it.
#include <cstdint>
#include <string_view>

namespace sg {

enum class CloseReason : std::uint8_t {
  BadRequest,
  MissingCredentials,
  TokenInvalid,
  TokenExpired,
  BindingMismatch,
  ForbiddenOrigin,
  SessionRevoked,
  AuthTimeout,
  HeartbeatTimeout,
  RateLimited,
  ServerBusy,
  SlowConsumer,
  GoingAway,
  PolicyViolation,
  MessageTooBig,
  ProtocolError,   // RFC 6455 framing broken (1002)
  InvalidPayload,  // a text message that is not UTF-8 (1007)
};
inline constexpr int kCloseReasonCount = 17;

// What a well-behaved client does after this close.
enum class ReconnectAdvice : std::uint8_t {
  Never,               // "never"
  AfterSignIn,         // "after_sign_in"
  WithNewCredentials,  // "with_new_credentials"
  Backoff,             // "backoff"
  AfterRetryAfter,     // "after_retry_after"
  Jitter,              // "jitter"
};

struct CloseInfo {
  std::uint16_t code;
  std::string_view name;
  ReconnectAdvice advice;
  std::uint16_t http_status;  // used when auth.reject_with = "http"
};

const CloseInfo& closeInfo(CloseReason reason);
std::string_view reconnectAdviceName(ReconnectAdvice advice);

}  // namespace sg
