// Cross-site request forgery against POST /api/graphql, in Chromium: a page of another
// origin (same site: only the port differs, so the browser attaches the signed-in victim's
// SameSite=Lax session cookie) tries to log the victim out with every request a page can
// make without the server's consent: a "simple" fetch with a text/plain body, a JSON fetch
// (which needs a CORS preflight), an HTML form posting text/plain that parses as JSON, and
// a GET. None may end the session, and none may sign the victim into the attacker's
// account ("login CSRF": sign-in needs no CSRF token, only an allowed Origin).
import assert from "node:assert/strict"
import {test} from "node:test"

import {screenshot} from "./chromium.mjs"
import {browserFixture} from "./fixture.mjs"
import {register, waitForState} from "./page_driver.mjs"

const fx = browserFixture({attackerPage})

const LOGOUT = JSON.stringify({query: "mutation { accountsLogout }"})

// The attacker's page: each attempt's outcome (what the page could see of it) in
// window.outcomes; the form posts into an iframe, whose load it waits for.
function attackerPage(victimPort) {
  const target = `http://127.0.0.1:${victimPort}/api/graphql`
  return `<!doctype html><meta charset="utf-8"><title>attacking</title>
<iframe name="sink"></iframe>
<iframe name="sink2"></iframe>
<form id="form" method="POST" action="${target}" enctype="text/plain" target="sink">
  <input type="hidden" name='{"query":"mutation { accountsLogout }","pad":"' value='"}'>
</form>
<form id="login" method="POST" action="${target}" enctype="text/plain" target="sink2">
  <input type="hidden" name='{"query":"mutation { accountsRegister(email: \\"attacker@example.com\\", password: \\"attacker password 1\\") { csrfToken } }","pad":"' value='"}'>
</form>
<script>
  window.outcomes = {}
  const note = (name) => (value) => { window.outcomes[name] = value }
  const done = (async () => {
    await fetch(${JSON.stringify(target)}, {method: "POST", mode: "no-cors", credentials: "include",
      headers: {"Content-Type": "text/plain"}, body: ${JSON.stringify(LOGOUT)}})
      .then((r) => note("simple")("type " + r.type), (e) => note("simple")("error " + e.message))
    await fetch(${JSON.stringify(target)}, {method: "POST", credentials: "include",
      headers: {"Content-Type": "application/json"}, body: ${JSON.stringify(LOGOUT)}})
      .then((r) => note("json")("status " + r.status), (e) => note("json")("error " + e.message))
    await fetch(${JSON.stringify(target)} + "?query=" + encodeURIComponent("{ accountsMe { email } }"), {credentials: "include"})
      .then((r) => r.text().then((t) => note("get")("read " + t)), (e) => note("get")("error " + e.message))
    for (const [form, sink] of [["form", "sink"], ["login", "sink2"]]) {
      await new Promise((resolve) => {
        document.querySelector("iframe[name=" + sink + "]").onload = resolve
        document.getElementById(form).submit()
      })
    }
    note("form")("submitted")
  })()
  done.then(() => { document.title = "done" })
</script>`
}


test("a page of another origin cannot use the victim's cookie on /api/graphql", {timeout: 60000}, async () => {
  const victim = await fx.browser.newPage()
  await victim.goto(`${fx.server.httpUrl}/`)
  await register(victim, "graphql-victim@example.com")
  await waitForState(victim, "connected")
  const cookies = await fx.browser.context.cookies(fx.server.httpUrl)
  const session = cookies.find((cookie) => cookie.name === "_sockguard_session")
  assert.ok(session, "the victim is signed in")

  const evil = await fx.browser.context.newPage()
  await evil.goto(`http://127.0.0.1:${fx.attacker.address().port}/`)
  await evil.waitForFunction(() => document.title === "done", null, {timeout: 20000})
  const outcomes = await evil.evaluate(() => window.outcomes)
  await screenshot(evil, "graphql-csrf-attacker")

  // What the page could see: nothing readable (opaque, or a CORS failure).
  assert.equal(outcomes.simple, "type opaque", JSON.stringify(outcomes))
  assert.match(outcomes.json, /^error /, JSON.stringify(outcomes))
  assert.match(outcomes.get, /^error /, JSON.stringify(outcomes))
  assert.equal(outcomes.form, "submitted")

  // And what happened: nothing. The browser holds the victim's cookie still (no session of
  // the attacker's was set), the session is alive, its socket still connected.
  const after = (await fx.browser.context.cookies(fx.server.httpUrl)).find((cookie) => cookie.name === "_sockguard_session")
  assert.equal(after?.value, session.value, "the attacker's sign-in must not replace the victim's cookie")
  const me = await fetch(`${fx.server.httpUrl}/api/accounts/me`, {headers: {Cookie: `${session.name}=${session.value}`}})
  assert.equal(me.status, 200, "the victim's session must survive the attack")
  assert.equal((await me.json()).email, "graphql-victim@example.com")
  await waitForState(victim, "connected")
})
