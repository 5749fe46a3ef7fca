// Starts the real sockguard binary for the security tests: a fresh data dir, a free port,
// debug logging, every line of stdout+stderr kept for the redaction checks.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { withTimeout } from './with_timeout.mjs';
import { remember, leakedIn } from './secrets.mjs';

export const BIN = process.env.SOCKGUARD_BIN;
if (!BIN) throw new Error('set SOCKGUARD_BIN to the sockguard binary');

export const API_KEY = remember('sec-api-key-0123456789abcdefghijklmnop');
export const HS_SECRET = remember('hs256-test-secret-0123456789-abcdefghijklmnop');

const live = new Set();
process.on('exit', () => {
  for (const s of live) {
    try { s.proc.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export function tempDir(prefix = 'sockguard-sec-') {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function writeTemp(dir, name, text) {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

// No SOCKGUARD_* variable of the caller's reaches the server: it would only warn about
// SOCKGUARD_BIN, but a stray SOCKGUARD_AUTH_* or SOCKGUARD_LIMITS_* would change the
// configuration a test believes it runs against.
function cleanEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SOCKGUARD_')));
}

// SOCKGUARD_TEST_STORE=postgres: accounts and sessions in PostgreSQL instead of SQLite,
// one server per test process (started at first use, by lib/postgres.mjs) and a new
// database per sockguard server. store_postgres_accounts.test.mjs runs the account tests
// of this suite so. Its password is one of the suite's secrets: the leak check covers it.
let postgres = null;
let databases = 0;
async function databaseFlags() {
  if (process.env.SOCKGUARD_TEST_STORE !== 'postgres') return {};
  const { PG_PASSWORD, startPostgres } = await import('../../lib/postgres.mjs');
  remember(PG_PASSWORD);
  postgres ??= startPostgres();
  const pg = await postgres;
  const name = `sec_${process.pid}_${++databases}`;
  await pg.createDatabase(name);
  return { '--store-database-url': pg.url(name) };
}

// options: flags (object of --flag -> value, overriding the defaults), env, logFormat.
export async function startServer({ flags = {}, env = {}, logFormat = 'text' } = {}) {
  const dataDir = tempDir();
  const merged = {
    ...(await databaseFlags()),
    '--listen': '127.0.0.1:0',
    '--data-dir': dataDir,
    '--log-level': 'debug',
    '--log-format': logFormat,
    '--threads': '2',
    '--shutdown-grace-ms': '200',
    '--auth-auth-timeout-s': '1',
    '--limits-handshakes-per-ip-per-s': '10000',
    '--limits-handshake-burst-per-ip': '10000',
    ...flags,
  };
  const args = ['serve'];
  for (const [flag, value] of Object.entries(merged)) {
    if (value === undefined || value === null) continue;
    args.push(flag, String(value));
  }
  const proc = spawn(BIN, args, {
    env: { ...cleanEnv(), SOCKGUARD_SERVER_API_KEYS: API_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = { proc, dataDir, args, stdout: '', stderr: '', exited: null };
  live.add(server);
  proc.stdout.setEncoding('utf8');
  proc.stderr.setEncoding('utf8');
  proc.stdout.on('data', (d) => { server.stdout += d; });
  proc.stderr.on('data', (d) => { server.stderr += d; });
  const streamsDone = Promise.all([
    new Promise((r) => proc.stdout.on('end', r)),
    new Promise((r) => proc.stderr.on('end', r)),
  ]);
  server.exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      server.exited = { code, signal };
      live.delete(server);
      resolve(server.exited);
    });
  });
  server.closed = Promise.all([server.exitPromise, streamsDone]);

  try {
    const port = await withTimeout(new Promise((resolve, reject) => {
      const check = () => {
        const m = /^sockguard \S+ listening on http:\/\/127\.0\.0\.1:(\d+)\n/.exec(server.stdout);
        if (m) return resolve(Number(m[1]));
        if (server.exited) reject(new Error(`sockguard exited ${JSON.stringify(server.exited)}: ${server.stderr}`));
      };
      proc.stdout.on('data', check);
      proc.on('exit', () => setImmediate(check));
    }), 5000, 'sockguard start');
    server.port = port;
  } catch (e) {
    await stopServer(server);
    throw e;
  }
  if (merged['--store-database-url'] && !/accounts and sessions in postgresql:\/\//.test(server.stdout)) {
    await stopServer(server);
    throw new Error(`SOCKGUARD_TEST_STORE=postgres but the server does not say it uses PostgreSQL: ${server.stdout}`);
  }
  server.http = `http://127.0.0.1:${server.port}`;
  server.ws = `ws://127.0.0.1:${server.port}`;
  server.socketBase = `${server.ws}/socket`;
  server.logs = () => server.stdout + server.stderr;
  server.stop = () => stopServer(server);
  return server;
}

export async function stopServer(server) {
  if (!server.exited) {
    server.proc.kill('SIGTERM');
    try {
      await withTimeout(server.exitPromise, 5000, 'sockguard stop');
    } catch {
      server.proc.kill('SIGKILL');
      await withTimeout(server.exitPromise, 5000, 'sockguard kill');
    }
  }
  await withTimeout(server.closed, 5000, 'sockguard output streams');
  rmSync(server.dataDir, { recursive: true, force: true });
  const logs = server.logs ? server.logs() : server.stdout + server.stderr;
  // The server logged at debug level all along: not one secret the suite used may be in it.
  const leaked = leakedIn(logs);
  if (leaked) throw new Error(`a secret reached the server's log: ${leaked.slice(0, 4)}… (${leaked.length} chars)`);
  return logs;
}

// `sockguard token`: an HS256 token signed with the secret key in `dataDir` (the server's).
export function cliToken(dataDir, userId, ttl = 600, extraArgs = []) {
  return new Promise((resolve, reject) => {
    execFile(BIN, ['token', '--user-id', String(userId), '--ttl', String(ttl), '--data-dir', dataDir, ...extraArgs],
      { timeout: 5000, env: cleanEnv() }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`sockguard token failed: ${err.message} ${stderr}`));
        resolve(stdout.trim());
      });
  });
}
