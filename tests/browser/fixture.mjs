// What every browser test file starts with: one sockguard server and one Chromium for the
// file, and for the cross-site tests a page server of another origin (the attacker). The
// returned object is filled in before the first test and emptied after the last.
import {after, before} from "node:test"
import {createServer} from "node:http"

import {SockguardServer} from "../support/sockguard_server.mjs"
import {launchChromium} from "./chromium.mjs"

// serverArgs: flags for the server, or a function that makes them (run in before()).
// chromiumArgs: extra Chromium flags. attackerPage(victimPort): the HTML the other origin
// serves, if the file needs one. cleanup: run after everything is closed.
export function browserFixture({serverArgs = [], chromiumArgs = [], attackerPage, cleanup} = {}) {
  const fixture = {server: null, browser: null, attacker: null}
  before(async () => {
    const args = typeof serverArgs === "function" ? serverArgs() : serverArgs
    fixture.server = await SockguardServer.start({args})
    if (attackerPage) fixture.attacker = await servePage(attackerPage(fixture.server.port))
    fixture.browser = await launchChromium({args: chromiumArgs})
  })
  after(async () => {
    await fixture.browser?.close()
    await new Promise((resolve) => (fixture.attacker ? fixture.attacker.close(resolve) : resolve()))
    await fixture.server?.dispose()
    cleanup?.()
  })
  return fixture
}

// An HTTP server on 127.0.0.1 (a port of its own: another origin) that answers every
// request with `html`, and refuses every WebSocket upgrade after recording its Cookie and
// Origin in `probes` (what the browser sends a socket of this site).
function servePage(html) {
  const http = createServer((request, response) => {
    response.writeHead(200, {"Content-Type": "text/html; charset=utf-8"})
    response.end(html)
  })
  http.probes = []
  http.on("upgrade", (request, socket) => {
    http.probes.push({cookie: request.headers.cookie ?? "", origin: request.headers.origin})
    socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
  })
  return new Promise((resolve) => http.listen(0, "127.0.0.1", () => resolve(http)))
}
