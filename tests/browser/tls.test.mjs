// The demo page over HTTPS in Chromium: with a certificate from a test CA (Chromium runs
// with --ignore-certificate-errors), register and watch the live number over wss://; the
// session cookie is Secure, HttpOnly and carries the __Host- prefix.
import assert from "node:assert/strict"
import {test} from "node:test"

import {makeTlsFiles} from "../integration/lib/tls_cert.mjs"
import {screenshot} from "./chromium.mjs"
import {browserFixture} from "./fixture.mjs"
import {register, waitForCountChanges, waitForState} from "./page_driver.mjs"

let files
const fx = browserFixture({
  serverArgs: () => {
    files = makeTlsFiles()
    return ["--app-user-count-interval-ms", "300", "--tls-cert-file", files.first.cert, "--tls-key-file", files.first.key]
  },
  chromiumArgs: ["--ignore-certificate-errors"],
  cleanup: () => files?.cleanup(),
})

test("the page over https://: register, the live number over wss://, a Secure __Host- cookie", {timeout: 60000},
     async () => {
  const page = await fx.browser.newPage()
  const sockets = []
  page.on("websocket", (ws) => sockets.push(ws.url()))
  const origin = `https://127.0.0.1:${fx.server.port}`
  await page.goto(`${origin}/`)
  await page.waitForSelector("#signed-out:not([hidden])")

  await register(page, "tls@example.com")
  await waitForState(page, "connected")
  const counts = await waitForCountChanges(page, 2)
  assert.ok(counts.length >= 3, counts.join(","))
  await screenshot(page, "tls-1-connected")

  assert.ok(sockets.length > 0 && sockets.every((url) => url.startsWith(`wss://127.0.0.1:${fx.server.port}/socket/websocket`)),
            sockets.join(", "))
  const cookies = await fx.browser.context.cookies(origin)
  const session = cookies.find((c) => c.name.startsWith("__Host-"))
  assert.ok(session, `no __Host- cookie among ${cookies.map((c) => c.name).join(", ")}`)
  assert.equal(session.secure, true)
  assert.equal(session.httpOnly, true)
  assert.equal(session.path, "/")
  assert.deepEqual(fx.browser.problems, [])
})
