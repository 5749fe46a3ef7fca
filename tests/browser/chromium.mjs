// Launches Debian's chromium through playwright-core with a fresh profile, and collects
// what the pages complain about (CSP violations and script errors show up there).
import {mkdirSync, mkdtempSync, rmSync} from "node:fs"
import {tmpdir} from "node:os"
import {dirname, join} from "node:path"
import {fileURLToPath} from "node:url"

import {chromium} from "playwright-core"

export const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), "artifacts")

const ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage"]

// Chromium logs every 4xx as a console error; "not signed in" is the answer the page asks
// for when it loads (GET /api/accounts/me), not a problem.
function isExpectedAnswer(message) {
  return /status of 401/.test(message.text()) && new URL(message.location().url).pathname === "/api/accounts/me"
}

// `args`: extra Chromium switches (e.g. --ignore-certificate-errors for a test CA).
export async function launchChromium({args = []} = {}) {
  const profile = mkdtempSync(join(tmpdir(), "sockguard-chromium-"))
  // headless: false because the headless mode is chosen by --headless=new above.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
    headless: false,
    args: [...ARGS, ...args],
    timeout: 30000,
  })
  context.setDefaultTimeout(10000)
  const problems = []
  const watch = (page) => {
    page.on("console", (message) => {
      if (message.type() !== "error" || isExpectedAnswer(message)) return
      problems.push(`${page.url()}: ${message.text()} (${message.location().url})`)
    })
    page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`))
    return page
  }
  context.on("page", watch)
  context.pages().forEach(watch)
  return {
    context,
    problems,
    async newPage() { return context.pages().find((page) => page.url() === "about:blank") ?? context.newPage() },
    async close() {
      await context.close()
      rmSync(profile, {recursive: true, force: true})
    },
  }
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, {recursive: true})
  await page.screenshot({path: join(ARTIFACTS, `${name}.png`), fullPage: true})
}
