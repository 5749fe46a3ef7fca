// The demo page: sign in, then watch your live number arrive over the socket, and see in
// plain words why a connection ended and whether the client comes back.
import {Socket} from "./vendor/phoenix.mjs"
import {createConnectSocket} from "./client/connect_socket.js"
import {joinChannel} from "./client/join_channel.js"
import {describeState} from "./client/state_words.js"
import * as accounts from "./accounts.js"

const connectSocket = createConnectSocket(Socket)
const $ = (id) => document.getElementById(id)

// How long the page waits for the server to close the socket after a logout before it
// closes the socket itself (the server should do it at once, with session_revoked).
const LOGOUT_CLOSE_GRACE_MS = 5000

const STATE_LABELS = {
  idle: "Not connected.",
  connecting: "Connecting…",
  connected: "Connected.",
  reconnecting: "Reconnecting…",
  signed_out: "Signed out.",
  forbidden: "Refused.",
  stopped: "Stopped.",
}

let socket = null
let account = null

function showState(state, detail = {}) {
  $("state").dataset.state = state
  $("state").textContent = state === "reconnecting"
    ? `Reconnecting in ${(detail.delay_ms / 1000).toFixed(1)} s…`
    : STATE_LABELS[state] ?? state
  // Closes the page asked for itself are no news.
  const ended = ["reconnecting", "signed_out", "forbidden", "stopped"].includes(state)
  if (ended && detail.source !== "client") $("last-close").textContent = describeState(state, detail)
  if (state === "signed_out" || state === "forbidden") showSignedOut()
}

function startSocket(signedIn) {
  socket?.disconnect()
  const current = connectSocket({
    socketUrl: "/socket",
    ticketUrl: "/api/socket/ticket",
    csrfToken: signedIn.csrf_token,
    onState: (state, detail) => { if (socket === current) showState(state, detail) },
  })
  socket = current
  current.connect()
  joinChannel(current, `user_count:${signedIn.id}`)
    .then((channel) => channel.on("user_count", ({count}) => { $("count").textContent = String(count) }))
    .catch((error) => { $("last-close").textContent = `Could not follow your number: ${error.reason}.` })
}

function showSignedIn(signedIn) {
  account = signedIn
  $("who").textContent = signedIn.email
  $("count").textContent = "–"
  $("signed-in").hidden = false
  $("signed-out").hidden = true
  $("password").value = ""
  $("form-error").textContent = ""
  startSocket(signedIn)
}

function showSignedOut() {
  account = null
  $("signed-in").hidden = true
  $("signed-out").hidden = false
}

async function submitCredentials(action) {
  const form = $("account-form")
  if (!form.reportValidity()) return
  setBusy(true)
  try {
    const result = await action($("email").value, $("password").value)
    if (result.ok) showSignedIn(result.data)
    else $("form-error").textContent = result.data.message ?? `The server answered ${result.status}.`
  } catch {
    $("form-error").textContent = "The server could not be reached."
  } finally {
    setBusy(false)
  }
}

async function logOut() {
  const ending = socket
  setBusy(true)
  try {
    if (account) await accounts.logout(account.csrf_token)
  } finally {
    setBusy(false)
    showSignedOut()
  }
  // The server ends the session's sockets itself (4403 session_revoked), which is what the
  // page wants to show; close it here only if that did not happen.
  setTimeout(() => { if (socket === ending && ending?.isConnected()) ending.disconnect() }, LOGOUT_CLOSE_GRACE_MS)
}

function setBusy(busy) {
  for (const id of ["login", "register", "logout"]) $(id).disabled = busy
}

$("account-form").addEventListener("submit", (event) => {
  event.preventDefault()
  submitCredentials(accounts.login)
})
$("register").addEventListener("click", () => submitCredentials(accounts.register))
$("logout").addEventListener("click", logOut)

const current = await accounts.me().catch(() => ({ok: false}))
if (current.ok) showSignedIn(current.data)
else showSignedOut()
