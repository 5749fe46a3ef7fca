// What to do after the server ended a connection or refused a ticket (DESIGN §4).
// Pure functions: they get the close, the history of failures since the last good
// connection and a random source, and return the next step plus the updated history.
//
//   step = {action: "retry", delay_ms, code, reason, history}
//        | {action: "stop", state: "signed_out"|"forbidden"|"stopped", code, reason, history}

import {DEFAULT_BACKOFF, backoffDelay, credentialRetryDelay, retryAfterDelay} from "./backoff.js"
import {reconnectAdviceFor} from "./close_reasons.js"

// history.attempt: failed connection attempts since the last good connection.
// history.unauthorized_in_a_row: 4401 closes since the last good connection.
export const FRESH_HISTORY = Object.freeze({attempt: 0, unauthorized_in_a_row: 0})

const UNAUTHORIZED = 4401

// close: {code, reason, reconnect, retry_after_ms}, as in the server's connect_error
// payload; `reconnect` may be missing (a close frame alone), then the reason decides.
export function nextStep(close, history = FRESH_HISTORY, random = Math.random, backoff = DEFAULT_BACKOFF) {
  const code = close.code ?? null
  const reason = close.reason || null
  const reconnect = close.reconnect ?? reconnectAdviceFor(reason)
  const updated = {
    attempt: history.attempt + 1,
    unauthorized_in_a_row: code === UNAUTHORIZED ? history.unauthorized_in_a_row + 1 : 0,
  }
  const stop = (state) => ({action: "stop", state, code, reason, history: updated})
  const retry = (delay_ms) => ({action: "retry", delay_ms, code, reason, history: updated})

  if (reconnect === "never") return stop(stateForRefusal(reason))
  if (reconnect === "after_sign_in") return stop("signed_out")
  // A second 4401 although the ticket was fresh: the login behind it is gone, and
  // retrying would only feed a reconnect storm.
  if (updated.unauthorized_in_a_row >= 2) return stop("signed_out")
  if (reconnect === "with_new_credentials") return retry(credentialRetryDelay(random, backoff))
  if (Number.isFinite(close.retry_after_ms) && close.retry_after_ms >= 0) {
    return retry(retryAfterDelay(close.retry_after_ms, random))
  }
  return retry(backoffDelay(history.attempt, random, backoff))
}

// The ticket endpoint answered with an error (or not at all: status null).
// refusal: {status, error, retry_after_ms}; `error` is the error name of the JSON body.
export function nextStepAfterTicketError(refusal, history = FRESH_HISTORY, random = Math.random,
                                         backoff = DEFAULT_BACKOFF) {
  const code = refusal.status ?? null
  const reason = refusal.error || (code === null ? "network_error" : `http_${code}`)
  const updated = {attempt: history.attempt + 1, unauthorized_in_a_row: history.unauthorized_in_a_row}
  const stop = (state) => ({action: "stop", state, code, reason, history: updated})
  const retry = (delay_ms) => ({action: "retry", delay_ms, code, reason, history: updated})

  // Not signed in (or the session ended): no ticket will come until the user signs in.
  if (code === 401) return stop("signed_out")
  // Foreign Origin, or a CSRF token that does not match the session: retrying cannot help.
  if (code === 403) return stop("forbidden")
  if ((code === 429 || code === 503) && Number.isFinite(refusal.retry_after_ms)) {
    return retry(retryAfterDelay(refusal.retry_after_ms, random))
  }
  // Other statuses and network errors: the server may be restarting.
  return retry(backoffDelay(history.attempt, random, backoff))
}

function stateForRefusal(reason) {
  if (reason === "session_revoked") return "signed_out"
  if (reason === "forbidden_origin") return "forbidden"
  return "stopped"
}
