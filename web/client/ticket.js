// Fetches a one-time socket ticket (DESIGN §3). Tickets live seconds and work once, so
// the caller fetches one right before every connect and reconnect.

// A credential option may be a string, or a function (sync or async) that returns the
// current one: a page can hand over a token that it refreshes.
async function currentValue(option) {
  return typeof option === "function" ? await option() : option
}

// Retry-After is either delay-seconds or an HTTP date.
export function parseRetryAfter(header, now = Date.now()) {
  if (header == null || header === "") return null
  const trimmed = String(header).trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}

// Resolves to {ticket} or {status, error, retry_after_ms}; status is null when the
// request failed before an answer (network error, timeout, abort).
export async function fetchTicket({ticketUrl, csrfToken, authToken, fetch, signal}) {
  const headers = {Accept: "application/json"}
  const csrf = await currentValue(csrfToken)
  if (csrf) headers["X-CSRF-Token"] = csrf
  const token = await currentValue(authToken)
  if (token) headers.Authorization = `Bearer ${token}`
  let response
  try {
    // same-origin: the session cookie goes along, but never to another origin.
    response = await fetch(ticketUrl, {method: "POST", credentials: "same-origin", headers, signal})
  } catch (error) {
    return {status: null, error: signal?.aborted ? "aborted" : "network_error", retry_after_ms: null}
  }
  const body = await response.json().catch(() => null)
  if (response.ok && typeof body?.ticket === "string" && body.ticket !== "") return {ticket: body.ticket}
  return {
    status: response.ok ? 502 : response.status,  // a 2xx without a ticket is a broken answer
    error: typeof body?.error === "string" ? body.error : null,
    retry_after_ms: parseRetryAfter(response.headers.get("Retry-After")),
  }
}
