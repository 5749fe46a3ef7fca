// Starts the real sockguard binary for integration tests.
//
//   const server = await startServer({ env: {...}, args: [...] });
//   server.port, server.httpUrl, server.wsUrl(params)
//   server.stderrLines   every log line so far (the server logs to stderr)
//   server.output()      all stdout + stderr text so far
//   await server.waitForLog(/regex/)
//   await server.stop()  SIGTERM, resolves with {code, signal}
//
// Every started process is killed when the test file's process exits, and a server
// that a test forgot to stop is killed by its registered `after` hook.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BIN = process.env.SOCKGUARD_BIN;
if (!BIN) throw new Error('SOCKGUARD_BIN must point at the sockguard binary');

export const API_KEY = 'it-api-key-0123456789abcdef-ABCDEF';
export const START_TIMEOUT_MS = 5000;
export const STOP_TIMEOUT_MS = 5000;

// The configuration the core tests share: anonymous sockets on room:*, a server API key,
// and a handshake rate high enough for tests that open many sockets from 127.0.0.1.
export const CORE_ENV = {
  SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'true',
  SOCKGUARD_CHANNELS_PUBLIC_TOPICS: 'room:*',
  SOCKGUARD_SERVER_API_KEYS: API_KEY,
  SOCKGUARD_LIMITS_HANDSHAKES_PER_IP_PER_S: '10000',
  SOCKGUARD_LIMITS_HANDSHAKE_BURST_PER_IP: '10000',
  SOCKGUARD_SERVER_THREADS: '2',
};

const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

// The environment without any SOCKGUARD_* variable of our own. The server only warns about
// unknown ones (SOCKGUARD_BIN), but a developer's SOCKGUARD_LIMITS_* or SOCKGUARD_AUTH_*
// would change what a test runs against: each test sets exactly the variables it means.
function baseEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SOCKGUARD_')) env[k] = v;
  return env;
}

function splitLines(into, state, chunk) {
  state.partial += chunk;
  const parts = state.partial.split('\n');
  state.partial = parts.pop();
  for (const line of parts) into.push(line);
}

// Runs the binary to completion (for CLI tests): {code, signal, stdout, stderr}.
export function runBinary(args, { env = {}, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sockguard ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export async function startServer({ env = {}, args = [], listen = '127.0.0.1:0', core = true, t } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sockguard-it-'));
  const fullArgs = ['serve', '--listen', listen, '--data-dir', dataDir, ...args];
  const child = spawn(BIN, fullArgs, {
    env: { ...baseEnv(), ...(core ? CORE_ENV : {}), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);

  const stdoutLines = [];
  const stderrLines = [];
  const outState = { partial: '' };
  const errState = { partial: '' };
  let stdoutText = '';
  let stderrText = '';
  const logWaiters = new Set();

  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
  });
  let exitInfo = null;
  exited.then((info) => { exitInfo = info; });

  child.stdout.setEncoding('utf8').on('data', (d) => {
    stdoutText += d;
    splitLines(stdoutLines, outState, d);
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    stderrText += d;
    splitLines(stderrLines, errState, d);
    for (const w of logWaiters) w();
  });

  const server = {
    child,
    dataDir,
    stdoutLines,
    stderrLines,
    port: 0,
    get host() { return '127.0.0.1'; },
    get httpUrl() { return `http://127.0.0.1:${this.port}`; },
    get socketUrl() { return `ws://127.0.0.1:${this.port}/socket`; },
    // Raw clients here read connect_error, so they ask for readable refusals (DESIGN §4);
    // pass sockguard_refusal: null to connect as a client that does not.
    wsUrl(params = { vsn: '2.0.0' }) {
      const all = { sockguard_refusal: 'connect_error', ...params };
      const q = new URLSearchParams(Object.entries(all).filter(([, v]) => v !== null && v !== undefined)).toString();
      return `ws://127.0.0.1:${this.port}/socket/websocket${q ? `?${q}` : ''}`;
    },
    output() { return stdoutText + stderrText; },
    get exitInfo() { return exitInfo; },
    exited,
    // Resolves with the first log line matching re (lines already seen count).
    waitForLog(re, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = stderrLines.find((l) => re.test(l)) ?? (re.test(errState.partial) ? errState.partial : undefined);
          if (line !== undefined) {
            clearTimeout(timer);
            logWaiters.delete(check);
            resolve(line);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          logWaiters.delete(check);
          reject(new Error(`no log line matching ${re} within ${timeoutMs} ms; log:\n${stderrText}`));
        }, timeoutMs);
        if (!check()) logWaiters.add(check);
      });
    },
    async stop(signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS) {
      if (exitInfo) return exitInfo;
      child.kill(signal);
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`sockguard did not exit within ${timeoutMs} ms of ${signal}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      if (exitInfo) return exitInfo;
      child.kill('SIGKILL');
      return exited;
    },
    cleanup() {
      rmSync(dataDir, { recursive: true, force: true });
    },
  };

  // The first stdout line is "sockguard X listening on http://HOST:PORT".
  const port = await new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e) => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      reject(e);
    };
    const timer = setTimeout(() => {
      fail(new Error(`sockguard did not start within ${START_TIMEOUT_MS} ms; output:\n${stdoutText}${stderrText}`));
    }, START_TIMEOUT_MS);
    const onData = () => {
      if (stdoutLines.length === 0) return;
      const m = /^sockguard \S+ listening on https?:\/\/[^:]+:(\d+)$/.exec(stdoutLines[0]);
      clearTimeout(timer);
      child.stdout.off('data', onData);
      if (m) {
        settled = true;
        resolve(Number(m[1]));
      } else fail(new Error(`unexpected first stdout line: ${stdoutLines[0]}`));
    };
    child.stdout.on('data', onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`sockguard exited (code ${code}, signal ${signal}) before listening:\n${stdoutText}${stderrText}`));
    });
  });
  server.port = port;

  if (t) {
    t.after(async () => {
      await server.kill();
      server.cleanup();
    });
  }
  return server;
}
