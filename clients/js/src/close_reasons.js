// The server's table of close reasons (DESIGN §4, src/core/close_reason.cpp): code and
// reconnect advice by reason name. The server sends the advice in its connect_error
// message; this copy is for closes that come without one (1001 going_away, 4509
// slow_consumer, 1009 message_too_big are announced by the close frame alone).
export const CLOSE_REASONS = Object.freeze({
  bad_request: {code: 4400, reconnect: "never"},
  missing_credentials: {code: 4401, reconnect: "after_sign_in"},
  token_invalid: {code: 4401, reconnect: "with_new_credentials"},
  token_expired: {code: 4401, reconnect: "with_new_credentials"},
  binding_mismatch: {code: 4401, reconnect: "with_new_credentials"},
  forbidden_origin: {code: 4403, reconnect: "never"},
  session_revoked: {code: 4403, reconnect: "never"},
  auth_timeout: {code: 4408, reconnect: "backoff"},
  heartbeat_timeout: {code: 4408, reconnect: "backoff"},
  rate_limited: {code: 4429, reconnect: "after_retry_after"},
  server_busy: {code: 4503, reconnect: "jitter"},
  slow_consumer: {code: 4509, reconnect: "backoff"},
  going_away: {code: 1001, reconnect: "jitter"},
  policy_violation: {code: 1008, reconnect: "backoff"},
  message_too_big: {code: 1009, reconnect: "backoff"},
  protocol_error: {code: 1002, reconnect: "backoff"},
  invalid_payload: {code: 1007, reconnect: "backoff"},
})

// What the client should do after a close it did not start, when the server did not say.
export function reconnectAdviceFor(reason) {
  return CLOSE_REASONS[reason]?.reconnect ?? "backoff"
}
