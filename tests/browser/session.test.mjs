// The demo page in Chromium: register, log in, the live number, logout ending the socket
// with 4403 session_revoked, and no reconnect attempt after it.
import assert from "node:assert/strict"
import {test} from "node:test"

import {screenshot} from "./chromium.mjs"
import {browserFixture} from "./fixture.mjs"
import {logIn, register, waitForCountChanges, waitForState} from "./page_driver.mjs"

const QUIET_WINDOW_MS = 15000
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

const fx = browserFixture({serverArgs: ["--app-user-count-interval-ms", "300"]})

test("register, log in, watch the number, log out: the session's socket ends and stays closed",
     {timeout: 90000}, async () => {
  const page = await fx.browser.newPage()
  await page.goto(`${fx.server.httpUrl}/`)
  await page.waitForSelector("#signed-out:not([hidden])")
  await screenshot(page, "session-1-signed-out")

  await register(page, "alice@example.com")
  await waitForState(page, "connected")
  assert.equal(await page.textContent("#who"), "alice@example.com")
  const firstCounts = await waitForCountChanges(page, 2)
  assert.ok(firstCounts.length >= 3, firstCounts.join(","))
  await screenshot(page, "session-2-registered")

  await page.click("#logout")
  await waitForState(page, "signed_out")
  const firstEnd = await page.textContent("#last-close")
  assert.match(firstEnd, /4403 session_revoked/)
  assert.match(firstEnd, /Not reconnecting/)

  await logIn(page, "alice@example.com")
  await waitForState(page, "connected")
  await waitForCountChanges(page, 2)
  await screenshot(page, "session-3-logged-in")

  await page.click("#logout")
  await waitForState(page, "signed_out")
  assert.equal(await page.textContent("#last-close"),
               "Signed out: your session was ended (4403 session_revoked). Not reconnecting.")
  assert.equal(await page.isVisible("#signed-out"), true)

  const handshakes = await fx.server.handshakes()
  await sleep(QUIET_WINDOW_MS)
  assert.equal(await fx.server.handshakes(), handshakes, "the page attempted no handshake after the logout")
  assert.equal(await page.getAttribute("#state", "data-state"), "signed_out")
  await screenshot(page, "session-4-signed-out")
  assert.deepEqual(fx.browser.problems, [])
})
