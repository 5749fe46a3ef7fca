// connectSocket: a stock phoenix Socket whose connects use fresh one-time tickets and
// whose reconnects follow the server's advice. Built from a Socket class so the same
// module works with the npm "phoenix" package (index.js) and with the copy the web page
// loads from the server (web/app.js).

import {Supervisor} from "./supervisor.js"
import {fetchTicket} from "./ticket.js"

export function createConnectSocket(Socket) {
  // socketUrl: e.g. "/socket" or "ws://host:port/socket" (the stock client adds /websocket).
  // ticketUrl: POST endpoint that mints tickets, e.g. "/api/socket/ticket".
  // csrfToken | authToken: the page's CSRF token (cookie session) or a Bearer token; a
  //   string or a function returning the current one. authToken never goes on the socket.
  // onState(state, detail): connecting, connected, reconnecting {delay_ms, code, reason},
  //   signed_out | forbidden | stopped {code, reason, source}.
  // transport, params: as for the stock Socket (params must not name "ticket" or
  //   "sockguard_refusal").
  // fetch: the fetch function to use (defaults to the global one).
  // socketOptions: further stock Socket options (heartbeatIntervalMs, logger, ...).
  // backoff, random, ticketTimeoutMs: tuning and tests.
  return function connectSocket({socketUrl, ticketUrl, csrfToken, authToken, onState = () => {}, transport, fetch,
                                 params, socketOptions = {}, backoff, random, ticketTimeoutMs}) {
    if (!socketUrl || !ticketUrl) throw new TypeError("connectSocket needs socketUrl and ticketUrl")
    const fetchFn = fetch ?? ((...args) => globalThis.fetch(...args))
    const extraParams = typeof params === "function" ? params : () => params ?? {}
    let ticket = null
    const socket = new Socket(socketUrl, {
      ...socketOptions,
      ...(transport ? {transport} : {}),
      // Read by the stock client when it opens the transport, i.e. after our ticket fetch.
      // sockguard_refusal: this client reads the server's connect_error message, so a
      // refusal comes after the upgrade (readable) instead of as a plain HTTP status.
      params: () => ({...extraParams(), ticket, sockguard_refusal: "connect_error"}),
    })
    const supervisor = new Supervisor(socket, {
      getTicket: (signal) => fetchTicket({ticketUrl, csrfToken, authToken, fetch: fetchFn, signal}),
      useTicket: (fresh) => { ticket = fresh },
      onState,
      ...(backoff ? {backoff} : {}),
      ...(random ? {random} : {}),
      ...(ticketTimeoutMs ? {ticketTimeoutMs} : {}),
    })
    return supervisor.install()
  }
}
