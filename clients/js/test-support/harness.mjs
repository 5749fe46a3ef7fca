// Helpers for the client tests that run against the real server. (Outside test/, since
// node --test would run every module under a test/ folder as a test file.)
import WebSocket from "ws"

// Polls until `check()` returns a truthy value; bounded, so a broken test fails instead of hanging.
export async function waitUntil(check, {timeout = 10000, interval = 20, what = "condition"} = {}) {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`)
    await sleep(interval)
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// Records every onState call.
export function stateLog() {
  const entries = []
  const onState = (state, detail) => entries.push({state, detail})
  const names = () => entries.map((entry) => entry.state)
  const last = () => entries.at(-1)
  const count = (state) => entries.filter((entry) => entry.state === state).length
  // Waits until `state` has been reported `times` times in all.
  const waitFor = (state, {times = 1, timeout = 10000} = {}) =>
    waitUntil(() => count(state) >= times && entries.filter((entry) => entry.state === state)[times - 1],
              {timeout, what: `state ${state} x${times} (got ${names().join(", ")})`})
  return {entries, onState, names, last, count, waitFor}
}

// A `ws` transport that records the URLs it opened and the frames it sent.
export function recordingTransport(wsOptions = {}) {
  const log = {urls: [], sent: []}
  class RecordingWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, wsOptions)
      log.urls.push(url)
    }

    send(data, ...rest) {
      log.sent.push(String(data))
      return super.send(data, ...rest)
    }
  }
  return {transport: RecordingWebSocket, log}
}

// The ticket query parameter of each opened URL.
export function ticketsOf(urls) {
  return urls.map((url) => new URL(url).searchParams.get("ticket"))
}

// A fetch that records the ticket requests and may answer some of them itself.
// answer(n) returns a Response for the n-th request (1-based), or undefined to pass it on.
export function ticketFetch({cookie, answer = () => undefined} = {}) {
  const calls = []
  const fetchFn = async (url, init) => {
    calls.push({url, init})
    const own = answer(calls.length)
    if (own) return own
    const headers = {...init.headers, ...(cookie ? {Cookie: cookie} : {})}
    return fetch(url, {...init, headers})
  }
  return {fetch: fetchFn, calls}
}

export function jsonResponse(status, body, headers = {}) {
  return new Response(JSON.stringify(body), {status, headers: {"Content-Type": "application/json", ...headers}})
}
