// fetchTicket and Retry-After parsing, with a stand-in fetch.
import assert from "node:assert/strict"
import test from "node:test"

import {fetchTicket, parseRetryAfter} from "../src/ticket.js"

function fakeFetch(status, body, headers = {}) {
  const calls = []
  const fetch = async (url, init) => {
    calls.push({url, init})
    return new Response(body == null ? null : JSON.stringify(body), {status, headers})
  }
  return {fetch, calls}
}

test("POSTs with the CSRF token, same-origin credentials, and returns the ticket", async () => {
  const {fetch, calls} = fakeFetch(200, {ticket: "t1", expires_in: 10})
  assert.deepEqual(await fetchTicket({ticketUrl: "/api/socket/ticket", csrfToken: "c1", fetch}), {ticket: "t1"})
  assert.equal(calls[0].url, "/api/socket/ticket")
  assert.equal(calls[0].init.method, "POST")
  assert.equal(calls[0].init.credentials, "same-origin")
  assert.equal(calls[0].init.headers["X-CSRF-Token"], "c1")
  assert.equal(calls[0].init.headers.Authorization, undefined)
})

test("a Bearer token may come from an (async) function, asked at every fetch", async () => {
  const {fetch, calls} = fakeFetch(200, {ticket: "t"})
  let n = 0
  const authToken = async () => `jwt${++n}`
  await fetchTicket({ticketUrl: "/t", authToken, fetch})
  await fetchTicket({ticketUrl: "/t", authToken, fetch})
  assert.deepEqual(calls.map((c) => c.init.headers.Authorization), ["Bearer jwt1", "Bearer jwt2"])
  assert.equal(calls[0].init.headers["X-CSRF-Token"], undefined)
})

test("a refusal reports status, error name and Retry-After", async () => {
  const {fetch} = fakeFetch(429, {error: "rate_limited", message: "slow down"}, {"Retry-After": "2"})
  assert.deepEqual(await fetchTicket({ticketUrl: "/t", fetch}), {status: 429, error: "rate_limited", retry_after_ms: 2000})
})

test("a 200 without a ticket is a broken answer, not a ticket", async () => {
  const {fetch} = fakeFetch(200, {nope: true})
  assert.equal((await fetchTicket({ticketUrl: "/t", fetch})).status, 502)
})

test("a network error has no status", async () => {
  const fetch = async () => { throw new TypeError("fetch failed") }
  assert.deepEqual(await fetchTicket({ticketUrl: "/t", fetch}), {status: null, error: "network_error", retry_after_ms: null})
})

test("Retry-After: seconds or an HTTP date", () => {
  assert.equal(parseRetryAfter("3"), 3000)
  assert.equal(parseRetryAfter(null), null)
  assert.equal(parseRetryAfter("soon"), null)
  const now = Date.parse("2030-01-01T00:00:00Z")
  assert.equal(parseRetryAfter("Tue, 01 Jan 2030 00:00:05 GMT", now), 5000)
  assert.equal(parseRetryAfter("Tue, 01 Jan 2029 00:00:05 GMT", now), 0)
})
