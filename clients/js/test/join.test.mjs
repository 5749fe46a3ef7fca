// Against the real server: joins refused for good are left, not retried forever.
import assert from "node:assert/strict"
import {after, before, test} from "node:test"

import {SockguardServer} from "../../../tests/support/sockguard_server.mjs"
import {connectSocket, joinChannel, JoinRefusedError} from "../src/index.js"
import {recordingTransport, sleep, stateLog, waitUntil} from "../test-support/harness.mjs"

let server
before(async () => { server = await SockguardServer.start({args: ["--app-user-count-interval-ms", "200"]}) })
after(async () => { await server?.dispose() })

async function connected(userId) {
  const log = stateLog()
  const {transport, log: sent} = recordingTransport()
  const socket = connectSocket({
    socketUrl: `${server.wsUrl}/socket`,
    ticketUrl: `${server.httpUrl}/api/socket/ticket`,
    authToken: server.token(userId), transport, onState: log.onState,
  })
  socket.connect()
  await log.waitFor("connected")
  return {socket, sent}
}

const joinsOf = (sent, topic) => sent.filter((frame) => {
  const message = JSON.parse(frame)
  return message[2] === topic && message[3] === "phx_join"
}).length

test("joinChannel resolves on ok, and the channel receives its broadcasts", async (t) => {
  const {socket} = await connected("u-own")
  t.after(() => socket.disconnect())
  const channel = await joinChannel(socket, "user_count:u-own")
  const counts = []
  channel.on("user_count", ({count}) => counts.push(count))
  await waitUntil(() => counts.length >= 2, {what: "two user_count broadcasts"})
  assert.ok(counts.every((count) => Number.isInteger(count)), counts.join(","))
})

test("a join refused as unauthorized rejects, is left, and is not retried", async (t) => {
  const {socket, sent} = await connected("u-nosy")
  t.after(() => socket.disconnect())
  const topic = "user_count:someone-else"
  await assert.rejects(joinChannel(socket, topic), (error) => {
    assert.ok(error instanceof JoinRefusedError)
    assert.equal(error.reason, "unauthorized")
    return true
  })
  assert.equal(socket.channels.some((channel) => channel.topic === topic), false, "the channel was left")
  // The stock client would rejoin after 1 s, 2 s, 5 s, ...
  await sleep(2500)
  assert.equal(joinsOf(sent.sent, topic), 1)
  assert.ok(socket.isConnected(), "the socket itself stays up")
})

test("a join of an unknown topic rejects and is left", async (t) => {
  const {socket, sent} = await connected("u-lost")
  t.after(() => socket.disconnect())
  await assert.rejects(joinChannel(socket, "nowhere:1"), {name: "JoinRefusedError", reason: "unmatched topic"})
  await sleep(1500)
  assert.equal(joinsOf(sent.sent, "nowhere:1"), 1)
})
