// The web page loads copies of this package's modules and of phoenix.mjs (web/client/,
// web/vendor/). They must match their sources: scripts/sync-web-vendor refreshes them.
import assert from "node:assert/strict"
import {spawnSync} from "node:child_process"
import {fileURLToPath} from "node:url"
import test from "node:test"

const script = fileURLToPath(new URL("../../../scripts/sync-web-vendor", import.meta.url))

test("web/client and web/vendor are up to date with clients/js", () => {
  const result = spawnSync(script, ["--check"], {encoding: "utf8"})
  assert.equal(result.status, 0, result.stderr)
})

test("the modules the page copies do not import packages by name", async () => {
  // A browser cannot resolve "phoenix" without an import map, and the CSP forbids inline ones.
  const {readdirSync, readFileSync} = await import("node:fs")
  const src = fileURLToPath(new URL("../src/", import.meta.url))
  for (const name of readdirSync(src).filter((file) => file.endsWith(".js") && file !== "index.js")) {
    const imports = [...readFileSync(src + name, "utf8").matchAll(/^\s*(?:import|export)[^"']*from\s+["']([^"']+)["']/gm)]
    for (const [, specifier] of imports) assert.match(specifier, /^\.\.?\//, `${name} imports ${specifier}`)
  }
})
