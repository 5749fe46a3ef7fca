// Reconnect delays. Every delay is randomised so that the clients a server restart or a
// capacity limit disconnected at the same moment do not all come back at the same moment.

export const DEFAULT_BACKOFF = Object.freeze({
  base_ms: 500,           // first delay after an unexpected close (before jitter)
  max_ms: 30000,          // the delay stops growing here
  credential_retry_ms: 250, // at most this long before retrying with a fresh ticket
})

// Exponential backoff with "equal jitter": half the step is fixed, half is random, so the
// delay grows with every failure but never collapses to zero.
export function backoffDelay(attempt, random = Math.random, options = DEFAULT_BACKOFF) {
  const step = Math.min(options.max_ms, options.base_ms * 2 ** Math.max(0, attempt))
  return Math.round(step / 2 + random() * (step / 2))
}

// The server named the earliest moment to come back; spread the herd over a quarter of
// that (at least 250 ms) after it.
export function retryAfterDelay(retryAfterMs, random = Math.random) {
  return Math.round(retryAfterMs + random() * Math.max(250, retryAfterMs / 4))
}

// A fresh credential usually fixes the problem at once: retry soon, still jittered.
export function credentialRetryDelay(random = Math.random, options = DEFAULT_BACKOFF) {
  return Math.round(random() * options.credential_retry_ms)
}
