// Cross-Site WebSocket Hijacking: a page of another origin opens a socket to sockguard.
// The browser attaches the signed-in victim's session cookie (same site: only the port
// differs), so only the Origin check stands between the attacker and the victim's data.
import assert from "node:assert/strict"
import {test} from "node:test"

import {screenshot} from "./chromium.mjs"
import {browserFixture} from "./fixture.mjs"
import {register, waitForState} from "./page_driver.mjs"

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const fx = browserFixture({attackerPage})

// The attacker's page reports what the socket received in document.title and window.received.
// It asks for readable refusals (?sockguard_refusal=connect_error), to read the most it can;
// without it the refusal is a plain HTTP 403 that the page cannot read at all.
// It also opens a probe socket to its own server, which records the handshake's Cookie
// header: cookies ignore ports, so this is the cookie the browser attaches for sockguard too.
function attackerPage(victimPort) {
  return `<!doctype html><meta charset="utf-8"><title>waiting</title>
<script>
  window.received = {messages: [], close: null}
  new WebSocket("ws://" + location.host + "/probe")
  const ws = new WebSocket("ws://127.0.0.1:${victimPort}/socket/websocket?vsn=2.0.0&sockguard_refusal=connect_error&_csrf_token=guess")
  ws.onmessage = (event) => window.received.messages.push(event.data)
  ws.onclose = (event) => {
    window.received.close = {code: event.code, reason: event.reason}
    document.title = "closed " + event.code + " " + event.reason
  }
</script>`
}


test("a socket opened by another origin gets connect_error forbidden_origin and close 4403", {timeout: 60000}, async () => {
  const victim = await fx.browser.newPage()
  await victim.goto(`${fx.server.httpUrl}/`)
  await register(victim, "victim@example.com")
  await waitForState(victim, "connected")
  const cookies = await fx.browser.context.cookies(fx.server.httpUrl)
  assert.ok(cookies.some((cookie) => cookie.name === "_sockguard_session"), "the victim is signed in")
  const refusedBefore = await fx.server.metricSum("sockguard_refusals_total")

  const evil = await fx.browser.context.newPage()
  await evil.goto(`http://127.0.0.1:${fx.attacker.address().port}/`)
  await evil.waitForFunction(() => window.received.close !== null)
  const received = await evil.evaluate(() => window.received)
  await screenshot(evil, "cswsh-attacker")

  assert.equal(received.messages.length, 1, JSON.stringify(received))
  const [joinRef, ref, topic, event, payload] = JSON.parse(received.messages[0])
  assert.deepEqual([joinRef, ref, topic, event], [null, null, "phoenix", "connect_error"])
  assert.deepEqual(payload, {code: 4403, reason: "forbidden_origin", reconnect: "never", retry_after_ms: null})
  assert.deepEqual(received.close, {code: 4403, reason: "forbidden_origin"})
  assert.equal(await evil.title(), "closed 4403 forbidden_origin")

  // The premise of the attack holds: the browser attached the victim's session cookie.
  for (let tries = 0; fx.attacker.probes.length === 0 && tries < 100; tries++) await sleep(50)
  assert.equal(fx.attacker.probes.length, 1)
  assert.match(fx.attacker.probes[0].cookie, /_sockguard_session=/)
  assert.equal(fx.attacker.probes[0].origin, `http://127.0.0.1:${fx.attacker.address().port}`)

  const metrics = await fx.server.metrics()
  assert.match(metrics, /sockguard_refusals_total\{reason="forbidden_origin",code="4403"\} 1\b/)
  assert.equal(await fx.server.metricSum("sockguard_refusals_total"), refusedBefore + 1)
  // The victim's own socket is untouched.
  assert.equal(await victim.getAttribute("#state", "data-state"), "connected")
  // The attacker page's failed probe is logged there; sockguard's page logged nothing.
  assert.deepEqual(fx.browser.problems.filter((problem) => problem.startsWith(fx.server.httpUrl)), [])
})
