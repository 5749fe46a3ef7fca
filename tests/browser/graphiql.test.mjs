// GraphiQL at /graphiql in Chromium, under the server's strict CSP: register through a
// mutation (the cookie is set), accountsMe shows the account, the accountsUserCount
// subscription (graphql-transport-ws, authenticated by the cookie and the CSRF token) shows
// the count changing, and logging out ends it (session_revoked).
import assert from "node:assert/strict"
import {test} from "node:test"

import {screenshot} from "./chromium.mjs"
import {browserFixture} from "./fixture.mjs"

const fx = browserFixture({serverArgs: ["--app-user-count-interval-ms", "300"]})

// GraphiQL 3 edits with CodeMirror 5: its instance hangs off the editor's element.
async function setQuery(page, text) {
  await page.evaluate((query) => {
    document.querySelector(".graphiql-query-editor .CodeMirror").CodeMirror.setValue(query)
  }, text)
}
function response(page) {
  return page.evaluate(() => document.querySelector(".graphiql-response .CodeMirror").CodeMirror.getValue())
}
// GraphiQL takes an edit into its state (and its storage, "graphiql:query") after a
// debounce; a click before that would run the previous document.
async function run(page, text) {
  await setQuery(page, text)
  await page.waitForFunction((query) => localStorage.getItem("graphiql:query") === query, text, {polling: 50})
  await page.click(".graphiql-execute-button")
}
// Waits until the response pane holds JSON that `accept` likes; returns it.
async function waitForResponse(page, accept, what, timeout = 10000) {
  const deadline = Date.now() + timeout
  let last = ""
  while (Date.now() < deadline) {
    last = await response(page)
    try {
      const parsed = JSON.parse(last)
      if (accept(parsed)) return parsed
    } catch { /* not yet JSON, or a subscription between results */ }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await screenshot(page, "graphiql-timeout")
  throw new Error(`GraphiQL did not show ${what}; last response: ${last}`)
}

test("GraphiQL: register, accountsMe, a live accountsUserCount subscription, logout ends it", {timeout: 90000}, async () => {
  const page = await fx.browser.newPage()
  await page.goto(`${fx.server.httpUrl}/graphiql`)
  await page.waitForSelector(".graphiql-query-editor .CodeMirror")

  await run(page, `mutation { accountsRegister(email: "graphiql@example.com", password: "a long passphrase 1") { account { id email } } }`)
  // Registration hashes the password (argon2id, 64 MiB): slow on a busy machine.
  const registered = await waitForResponse(page, (r) => r.data?.accountsRegister, "the registration", 45000)
  const id = registered.data.accountsRegister.account.id
  assert.equal(registered.data.accountsRegister.account.email, "graphiql@example.com")

  await run(page, "query { accountsMe { id email } }")
  const me = await waitForResponse(page, (r) => r.data?.accountsMe !== undefined, "accountsMe")
  assert.deepEqual(me.data.accountsMe, {id, email: "graphiql@example.com"})

  await run(page, "subscription { accountsUserCount { userId count } }")
  const seen = new Set()
  await waitForResponse(page, (r) => {
    const c = r.data?.accountsUserCount
    if (c) {
      assert.equal(c.userId, id)
      seen.add(c.count)
    }
    return seen.size >= 3
  }, "three different counts", 15000)
  await screenshot(page, "graphiql-subscription")

  // Log out from the page (as another tab of the app would), with the session's CSRF token.
  const loggedOut = await page.evaluate(async () => {
    const me = await (await fetch("/api/accounts/me")).json()
    const r = await fetch("/api/graphql", {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf_token},
      body: JSON.stringify({query: "mutation { accountsLogout }"}),
    })
    return r.json()
  })
  assert.deepEqual(loggedOut, {data: {accountsLogout: true}})
  // The subscription ends with the close code: GraphiQL shows the error instead of counts.
  const deadline = Date.now() + 10000
  let text = ""
  while (Date.now() < deadline) {
    text = await response(page)
    if (/session_revoked/.test(text)) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  assert.match(text, /session_revoked/, `the subscription did not end with session_revoked: ${text}`)
  await screenshot(page, "graphiql-logged-out")
  assert.deepEqual(fx.browser.problems.filter((p) => !/status of 401/.test(p)), [])
})
