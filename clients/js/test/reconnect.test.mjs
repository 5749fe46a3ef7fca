// Against the real server: a fresh ticket before every connect, and reconnects that
// follow the server's connect_error advice.
import assert from "node:assert/strict"
import {after, before, test} from "node:test"

import {SockguardServer} from "../../../tests/support/sockguard_server.mjs"
import {connectSocket, joinChannel} from "../src/index.js"
import {jsonResponse, recordingTransport, sleep, stateLog, ticketFetch, ticketsOf, waitUntil} from "../test-support/harness.mjs"

const FAST = {base_ms: 100, max_ms: 1000, credential_retry_ms: 50}
const BOGUS_TICKET = "A".repeat(43)  // well-formed, never minted: token_invalid

let server
before(async () => { server = await SockguardServer.start() })
after(async () => { await server?.dispose() })

function connect({fetch, authToken, log}) {
  const {transport, log: sent} = recordingTransport()
  const socket = connectSocket({
    socketUrl: `${server.wsUrl}/socket`,
    ticketUrl: `${server.httpUrl}/api/socket/ticket`,
    authToken, fetch, transport, onState: log.onState, backoff: FAST,
  })
  return {socket, sent}
}

test("after a server restart the client reconnects with a new ticket and rejoins", async (t) => {
  const log = stateLog()
  const tickets = ticketFetch()
  const {socket, sent} = connect({fetch: tickets.fetch, authToken: server.token("u-restart"), log})
  t.after(() => socket.disconnect())
  socket.connect()
  await log.waitFor("connected")
  const channel = await joinChannel(socket, "user:u-restart")

  await server.restart()
  await log.waitFor("connected", {times: 2, timeout: 15000})
  await waitUntil(() => channel.isJoined(), {what: "rejoin after restart"})

  const used = ticketsOf(sent.urls)
  assert.ok(used.length >= 2, `opened ${used.length} sockets`)
  assert.ok(used.every((ticket) => typeof ticket === "string" && ticket.length === 43), used.join(","))
  assert.equal(new Set(used).size, used.length, "every connect used a ticket of its own")
  // Every opened socket was preceded by its own ticket request.
  assert.ok(tickets.calls.length >= used.length)
  // SIGTERM drains: the socket is closed with 1001 going_away (a close frame, no connect_error).
  const lost = log.entries.find((entry) => entry.state === "reconnecting" && entry.detail.source === "socket")
  assert.deepEqual([lost.detail.code, lost.detail.reason], [1001, "going_away"])
})

test("token_invalid once: the client fetches a new ticket and the retry succeeds", async (t) => {
  const log = stateLog()
  const tickets = ticketFetch({answer: (n) => (n === 1 ? jsonResponse(200, {ticket: BOGUS_TICKET}) : undefined)})
  const {socket} = connect({fetch: tickets.fetch, authToken: server.token("u-retry"), log})
  t.after(() => socket.disconnect())
  socket.connect()
  await log.waitFor("connected")
  const reconnecting = log.entries.find((entry) => entry.state === "reconnecting")
  assert.deepEqual([reconnecting.detail.code, reconnecting.detail.reason], [4401, "token_invalid"])
  assert.deepEqual(log.names(), ["connecting", "reconnecting", "connecting", "connected"])
  assert.equal(tickets.calls.length, 2)
})

test("two 4401 in a row, each with a fresh ticket: the client stops as signed out", async (t) => {
  const log = stateLog()
  const tickets = ticketFetch({answer: () => jsonResponse(200, {ticket: BOGUS_TICKET})})
  const handshakesBefore = await server.handshakes()
  const {socket, sent} = connect({fetch: tickets.fetch, authToken: "unused", log})
  t.after(() => socket.disconnect())
  socket.connect()
  const stopped = await log.waitFor("signed_out")
  assert.deepEqual([stopped.detail.code, stopped.detail.reason], [4401, "token_invalid"])
  await sleep(1500)  // long enough for several retries, had there been any
  assert.equal(tickets.calls.length, 2)
  assert.equal(sent.urls.length, 2)
  assert.equal(await server.handshakes(), handshakesBefore + 2)
  assert.equal(log.last().state, "signed_out")
})

test("a 429 from the ticket endpoint: the client waits Retry-After, then connects", async (t) => {
  const log = stateLog()
  const tickets = ticketFetch({
    answer: (n) => (n === 1 ? jsonResponse(429, {error: "rate_limited"}, {"Retry-After": "1"}) : undefined),
  })
  const {socket, sent} = connect({fetch: tickets.fetch, authToken: server.token("u-429"), log})
  t.after(() => socket.disconnect())
  socket.connect()
  const waiting = await log.waitFor("reconnecting")
  assert.equal(waiting.detail.source, "ticket")
  assert.equal(waiting.detail.code, 429)
  assert.ok(waiting.detail.delay_ms >= 1000 && waiting.detail.delay_ms <= 1250, String(waiting.detail.delay_ms))
  assert.equal(sent.urls.length, 0, "no socket without a ticket")
  await log.waitFor("connected")
  assert.equal(sent.urls.length, 1)
})
