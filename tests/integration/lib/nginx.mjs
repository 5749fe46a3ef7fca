// A real nginx (Debian's nginx-light) as the load balancer in front of sockguard nodes,
// started by the test: the configuration `make cluster` runs (scripts/cluster-nginx.conf),
// written to a temporary directory with a free loopback port and the nodes as upstreams,
// nginx in the foreground, killed at the end.
//
//   const lb = await startNginx([nodeA.port, nodeB.port, nodeC.port]);
//   lb.http, lb.ws, lb.socketBase (the shape the client helpers take as a `server`)
//   await lb.dispose()
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free_port.mjs';

const TEMPLATE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/cluster-nginx.conf');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGTERM'); } catch { /* gone */ }
  }
});

function listening(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
    s.on('error', () => resolve(false));
  });
}

export async function startNginx(upstreamPorts) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockguard-nginx-'));
  const port = await freePort();
  const upstreams = upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=2s;`).join('\n');
  const conf = readFileSync(TEMPLATE, 'utf8')
    .replaceAll('@DIR@', dir).replaceAll('@LISTEN@', `127.0.0.1:${port}`).replaceAll('@UPSTREAMS@', upstreams);
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  mkdirSync(path.join(dir, 'tmp'));
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const lb = {
    port,
    dir,
    child,
    output: '',
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    socketBase: `ws://127.0.0.1:${port}/socket`,
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        // A fast shutdown: the master stops its worker and waits for it (a SIGKILL would
        // leave the worker serving on the port).
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  child.stdout.setEncoding('utf8').on('data', (d) => { lb.output += d; });
  child.stderr.setEncoding('utf8').on('data', (d) => { lb.output += d; });
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) {
      live.delete(child);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx exited: ${lb.output}`);
    }
    if (await listening(port)) return lb;
    if (Date.now() > deadline) {
      await lb.dispose();
      throw new Error(`nginx did not listen: ${lb.output}`);
    }
    await sleep(50);
  }
}
