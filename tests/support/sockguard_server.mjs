// Starts the real sockguard binary (env SOCKGUARD_BIN) for tests, on a free port and a
// fresh data directory, and reads its /metrics. Only node builtins: the client package's
// tests and the browser tests both use it.
import {spawn, execFileSync} from "node:child_process"
import {mkdtempSync, rmSync} from "node:fs"
import {tmpdir} from "node:os"
import {join} from "node:path"
import {createInterface} from "node:readline"

const running = new Set()
// A test that fails half-way must not leave a server behind.
process.on("exit", () => { for (const child of running) child.kill("SIGKILL") })

export function sockguardBin() {
  const bin = process.env.SOCKGUARD_BIN
  if (!bin) throw new Error("set SOCKGUARD_BIN to the sockguard binary")
  return bin
}

// SOCKGUARD_BIN is ours, not the server's: it would only warn about it, but the warning
// would be noise in every test's output.
function serverEnv() {
  const env = {...process.env}
  delete env.SOCKGUARD_BIN
  return env
}

export class SockguardServer {
  // args: extra `serve` flags. port 0 picks a free one; a restart reuses the same port.
  static async start({args = [], dataDir, port = 0} = {}) {
    const server = new SockguardServer(args, dataDir ?? mkdtempSync(join(tmpdir(), "sockguard-test-")), !dataDir)
    try {
      await server.launch(port)
    } catch (error) {
      await server.dispose()
      throw error
    }
    return server
  }

  constructor(args, dataDir, ownsDataDir) {
    Object.assign(this, {args, dataDir, ownsDataDir, child: null, port: null, output: []})
  }

  get httpUrl() { return `http://127.0.0.1:${this.port}` }
  get wsUrl() { return `ws://127.0.0.1:${this.port}` }

  async launch(port) {
    const child = spawn(sockguardBin(), ["serve", "--listen", `127.0.0.1:${port}`, "--data-dir", this.dataDir,
                                         "--log-level", "warn", ...this.args], {stdio: ["ignore", "pipe", "pipe"], env: serverEnv()})
    running.add(child)
    this.child = child
    child.on("exit", () => running.delete(child))
    child.stderr.on("data", (chunk) => this.output.push(String(chunk)))
    const lines = createInterface({input: child.stdout})
    const firstLine = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sockguard did not start: ${this.output.join("")}`)), 10000)
      lines.once("line", (line) => { clearTimeout(timer); resolve(line) })
      child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`sockguard exited (${code}): ${this.output.join("")}`)) })
    })
    lines.on("line", (line) => this.output.push(line))
    const match = /listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(firstLine)
    if (!match) throw new Error(`unexpected first line: ${firstLine}`)
    this.port = Number(match[1])
  }

  // SIGTERM: the server drains (sockets get going_away) and exits.
  async stop() {
    const child = this.child
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once("exit", resolve))
    child.kill("SIGTERM")
    const timer = setTimeout(() => child.kill("SIGKILL"), 8000)
    await exited
    clearTimeout(timer)
  }

  async restart() {
    await this.stop()
    await this.launch(this.port)
  }

  async dispose() {
    await this.stop()
    if (this.ownsDataDir) rmSync(this.dataDir, {recursive: true, force: true})
  }

  // A JWT for the user, signed with this server's key (sockguard token).
  token(userId) {
    return execFileSync(sockguardBin(), ["token", "--user-id", userId, "--data-dir", this.dataDir],
                        {env: serverEnv()}).toString().trim()
  }

  async metrics() {
    const response = await fetch(`${this.httpUrl}/metrics`)
    return response.text()
  }

  // Sum of one metric over all its label sets.
  async metricSum(name) {
    const text = await this.metrics()
    let sum = 0
    for (const line of text.split("\n")) {
      if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) sum += Number(line.slice(line.lastIndexOf(" ") + 1))
    }
    return sum
  }

  handshakes() { return this.metricSum("sockguard_handshakes_total") }

  // Registers an account; returns {id, email, csrf_token, cookie} (cookie: "name=value").
  async register(email, password = "correct horse battery") {
    const response = await fetch(`${this.httpUrl}/api/accounts/register`, {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify({email, password}),
    })
    if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`)
    const body = await response.json()
    const cookie = response.headers.get("set-cookie").split(";")[0]
    return {...body, cookie}
  }

  async logout(account) {
    const response = await fetch(`${this.httpUrl}/api/accounts/logout`, {
      method: "POST",
      headers: {Cookie: account.cookie, "X-CSRF-Token": account.csrf_token},
    })
    if (response.status !== 200) throw new Error(`logout: ${response.status} ${await response.text()}`)
  }
}
