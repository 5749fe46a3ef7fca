// A cluster for integration tests: a real redis-server (Debian's, started here on a free
// port in a temporary directory, no persistence, killed at the end) and sockguard nodes
// that share it, one JWT secret and one allowed Origin. The nodes are started by the
// security suite's helper, so every node logs at debug level and each one's output is
// checked at stop for every secret the tests used (the Redis password included).
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { startServer, HS_SECRET, API_KEY } from '../security/lib/server.mjs';
import { request } from '../security/lib/clients.mjs';
import { remember } from '../security/lib/secrets.mjs';
import { withTimeout } from '../security/lib/with_timeout.mjs';
import { freePort } from './free_port.mjs';

export { HS_SECRET, API_KEY };
export const APP = 'https://app.example.com';
export const REDIS_PASSWORD = remember('redis-test-password-0123456789-zyxwvu');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
});

// redis-server in the foreground on a free loopback port. stop() kills it (SIGKILL: a
// crash, not a shutdown); start() starts it again on the same port with no data, as a
// Redis that lost its memory would come back.
export async function startRedis() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockguard-redis-'));
  const port = await freePort();
  const redis = {
    port,
    dir,
    child: null,
    output: '',
    url: `redis://default:${REDIS_PASSWORD}@127.0.0.1:${port}/0`,
    async start() {
      const child = spawn('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
        '--requirepass', REDIS_PASSWORD, '--loglevel', 'warning',
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      live.add(child);
      this.child = child;
      child.stdout.setEncoding('utf8').on('data', (d) => { this.output += d; });
      child.stderr.setEncoding('utf8').on('data', (d) => { this.output += d; });
      child.on('exit', () => live.delete(child));
      // Ready when it answers a connection.
      const deadline = Date.now() + 5000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`redis-server exited: ${this.output}`);
        const ok = await new Promise((resolve) => {
          const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
          s.on('error', () => resolve(false));
        });
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`redis-server did not listen: ${this.output}`);
        await sleep(50);
      }
    },
    async stop() {
      const child = this.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    // Runs a command with redis-cli (Debian's redis-tools); resolves with its output.
    cli(...args) {
      return new Promise((resolve, reject) => {
        execFile('redis-cli', ['-p', String(port), '--no-auth-warning', '-a', REDIS_PASSWORD, ...args],
          { timeout: 5000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
    },
    async dispose() {
      await this.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}

// One node on `redis`, started without waiting for its Redis connections.
export function startNode(redis, name, flags = {}) {
  return startServer({
    flags: {
      '--cluster-redis-url': redis.url,
      '--cluster-node-name': name,
      '--auth-jwt-secret': HS_SECRET,
      '--auth-allowed-origins': APP,
      ...flags,
    },
  });
}

// `count` nodes on `redis` (node-a, node-b...), once their Redis connections are up;
// `flags` are added to every node's.
export async function startNodes(redis, count = 3, flags = {}) {
  const nodes = [];
  try {
    for (let i = 0; i < count; i++) nodes.push(await startNode(redis, `node-${String.fromCharCode(97 + i)}`, flags));
    await Promise.all(nodes.map((n) => waitRedisReady(n, true)));
  } catch (e) {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    throw e;
  }
  return nodes;
}

export async function metric(node, name) {
  const res = await request('GET', `${node.http}/metrics`);
  const line = res.text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

// Waits until the node's Redis connections are up (or down).
export async function waitRedisReady(node, ready = true, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if ((await metric(node, 'sockguard_redis_ready')) === (ready ? 1 : 0)) return;
    if (Date.now() > deadline) throw new Error(`node ${node.port}: redis ready never became ${ready}`);
    await sleep(50);
  }
}

export function broadcast(node, topic, event, payload) {
  return request('POST', `${node.http}/api/broadcast`, {
    headers: { Authorization: `Bearer ${API_KEY}` },
    body: { topic, event, payload },
  });
}

// Publishes probes on `topic` through `node` until every connection in `conns` has seen
// one. A join is answered once its node's subscription holds, but a node that reconnects
// to Redis subscribes again with nobody waiting: after a fault, this is how a test knows
// delivery is back.
export async function warmUp(node, topic, conns, ms = 10000) {
  const deadline = Date.now() + ms;
  let n = 0;
  for (;;) {
    const probe = `probe-${n++}`;
    await broadcast(node, topic, 'probe', { probe });
    await sleep(50);
    if (conns.every((c) => c.messages.some((m) => m.event === 'probe'))) return;
    if (Date.now() > deadline) throw new Error(`warm-up on ${topic}: not every subscriber saw a probe`);
  }
}

export { withTimeout, sleep };
