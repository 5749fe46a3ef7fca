// Plain words for the states connectSocket reports, for pages that show them to people:
//   describeState("signed_out", {code: 4403, reason: "session_revoked", source: "socket"})
//   -> "Signed out: your session was ended (4403 session_revoked). Not reconnecting."

const REASON_WORDS = {
  bad_request: "the server could not read the connection request",
  missing_credentials: "you are not signed in",
  token_invalid: "your sign-in was not accepted",
  token_expired: "your sign-in expired",
  binding_mismatch: "the connection ticket belongs to another address or page",
  forbidden_origin: "this page's origin may not connect",
  session_revoked: "your session was ended",
  auth_timeout: "the connection was not authenticated in time",
  heartbeat_timeout: "the connection went silent",
  rate_limited: "there were too many connection attempts",
  server_busy: "the server is at capacity",
  slow_consumer: "the connection fell behind",
  going_away: "the server is restarting",
  policy_violation: "the server refused a message",
  message_too_big: "a message was too big",
  protocol_error: "the connection broke the WebSocket protocol",
  invalid_payload: "a text message was not valid UTF-8",
  csrf_required: "the page's security token is missing",
  csrf_invalid: "the page's security token was refused",
  network_error: "the server could not be reached",
  connection_lost: "the connection was lost",
  disconnected: "the page closed the connection",
}

const STOP_HEADINGS = {signed_out: "Signed out", forbidden: "Refused", stopped: "Stopped"}

export function reasonWords(reason) {
  return REASON_WORDS[reason] ?? "the connection closed"
}

// "(4403 session_revoked)" for sockets, "(HTTP 401 token_invalid)" for the ticket request.
function codeAndReason({code, reason, source}) {
  const parts = []
  if (code != null) parts.push(source === "ticket" ? `HTTP ${code}` : String(code))
  if (reason) parts.push(reason)
  return parts.length ? ` (${parts.join(" ")})` : ""
}

export function describeState(state, detail = {}) {
  switch (state) {
    case "connecting": return "Connecting…"
    case "connected": return "Connected."
    case "reconnecting": {
      const seconds = (detail.delay_ms / 1000).toFixed(1)
      return `${capitalise(reasonWords(detail.reason))}${codeAndReason(detail)}. Reconnecting in ${seconds} s.`
    }
    default: {
      const heading = STOP_HEADINGS[state] ?? "Stopped"
      return `${heading}: ${reasonWords(detail.reason)}${codeAndReason(detail)}. Not reconnecting.`
    }
  }
}

function capitalise(text) {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
