// Against the real server: the closes after which the client must not come back.
import assert from "node:assert/strict"
import {after, before, test} from "node:test"

import {SockguardServer} from "../../../tests/support/sockguard_server.mjs"
import {connectSocket, joinChannel} from "../src/index.js"
import {recordingTransport, sleep, stateLog, ticketFetch} from "../test-support/harness.mjs"

const FAST = {base_ms: 100, max_ms: 1000, credential_retry_ms: 50}

let server
before(async () => { server = await SockguardServer.start() })
after(async () => { await server?.dispose() })

function connect({fetch, csrfToken, authToken, log, wsOptions}) {
  const {transport, log: sent} = recordingTransport(wsOptions)
  const socket = connectSocket({
    socketUrl: `${server.wsUrl}/socket`,
    ticketUrl: `${server.httpUrl}/api/socket/ticket`,
    csrfToken, authToken, fetch, transport, onState: log.onState, backoff: FAST,
  })
  return {socket, sent}
}

test("logout closes the socket with 4403 session_revoked; the client stops and never reconnects", async (t) => {
  const account = await server.register("logout@example.com")
  const log = stateLog()
  const tickets = ticketFetch({cookie: account.cookie})
  const {socket, sent} = connect({fetch: tickets.fetch, csrfToken: account.csrf_token, log})
  t.after(() => socket.disconnect())
  socket.connect()
  await log.waitFor("connected")
  await joinChannel(socket, `user_count:${account.id}`)

  await server.logout(account)
  const stopped = await log.waitFor("signed_out")
  assert.deepEqual(stopped.detail, {code: 4403, reason: "session_revoked", source: "socket"})

  const handshakes = await server.handshakes()
  await sleep(3000)
  assert.equal(await server.handshakes(), handshakes, "no handshake after the revocation")
  assert.equal(tickets.calls.length, 1)
  assert.equal(sent.urls.length, 1)
  assert.equal(log.last().state, "signed_out")
  assert.equal(socket.isConnected(), false)
})

test("a foreign Origin is refused with forbidden_origin; the client stops", async (t) => {
  const log = stateLog()
  const {socket, sent} = connect({
    fetch: ticketFetch().fetch, authToken: server.token("u-origin"), log,
    wsOptions: {origin: "http://evil.example"},
  })
  t.after(() => socket.disconnect())
  socket.connect()
  const stopped = await log.waitFor("forbidden")
  assert.deepEqual([stopped.detail.code, stopped.detail.reason], [4403, "forbidden_origin"])
  const handshakes = await server.handshakes()
  await sleep(1000)
  assert.equal(await server.handshakes(), handshakes)
  assert.equal(sent.urls.length, 1)
})

test("no credential at all: the ticket endpoint answers 401, no socket is opened", async (t) => {
  const log = stateLog()
  const {socket, sent} = connect({fetch: ticketFetch().fetch, log})
  t.after(() => socket.disconnect())
  socket.connect()
  const stopped = await log.waitFor("signed_out")
  assert.deepEqual(stopped.detail, {code: 401, reason: "missing_credentials", source: "ticket"})
  await sleep(500)
  assert.equal(sent.urls.length, 0)
  assert.deepEqual(log.names(), ["connecting", "signed_out"])
})

test("disconnect() stops the client: no reconnect after it", async () => {
  const log = stateLog()
  const tickets = ticketFetch()
  const {socket, sent} = connect({fetch: tickets.fetch, authToken: server.token("u-bye"), log})
  socket.connect()
  await log.waitFor("connected")
  socket.disconnect()
  await log.waitFor("stopped")
  await sleep(1000)
  assert.equal(sent.urls.length, 1)
  assert.equal(tickets.calls.length, 1)
  assert.deepEqual(log.names(), ["connecting", "connected", "stopped"])
})
