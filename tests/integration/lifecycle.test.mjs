// The process: graceful shutdown, heartbeat silence, command-line and configuration errors.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { runBinary, startServer } from './lib/server.mjs';
import { RawClient, phoenixSocket, rawJoined, socketOpen, withTimeout, WAIT_MS } from './lib/clients.mjs';

function tmpDir(t) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockguard-it-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('shutdown', () => {
  test('SIGTERM closes open sockets with 1001 going_away and exits 0', async (t) => {
    const server = await startServer({ t });
    const raw = await Promise.all([
      rawJoined(server, 'room:a'),
      rawJoined(server, 'room:b'),
      RawClient.open(server.wsUrl({ vsn: '1.0.0' })),
    ]);
    const socket = phoenixSocket(server, { reconnectAfterMs: () => 60000 });
    t.after(() => socket.disconnect());
    await socketOpen(socket);
    const phoenixClosed = withTimeout(new Promise((resolve) => socket.onClose(resolve)), WAIT_MS, 'phoenix close');

    const exit = await server.stop('SIGTERM', 5000);
    assert.deepEqual(exit, { code: 0, signal: null });
    for (const c of raw) {
      assert.deepEqual(await c.waitClosed(), { code: 1001, reason: 'going_away' });
      // going_away is a plain close, without a connect_error message.
      assert.equal(c.json.filter((m) => (Array.isArray(m) ? m[3] : m?.event) === 'connect_error').length, 0);
    }
    const event = await phoenixClosed;
    assert.equal(event.code, 1001);
    assert.equal(event.reason, 'going_away');
    await server.waitForLog(/shutting down/);
  });

  test('SIGTERM with no sockets exits 0', async (t) => {
    const server = await startServer({ t });
    assert.equal((await fetch(`${server.httpUrl}/healthz`)).status, 200);
    assert.deepEqual(await server.stop('SIGTERM', 5000), { code: 0, signal: null });
  });

  test('a client that never answers the close does not hold the exit past the grace period', async (t) => {
    const server = await startServer({ args: ['--shutdown-grace-ms', '300'], t });
    const deaf = await rawJoined(server, 'room:deaf');
    deaf.ws._socket.pause(); // reads nothing more, so never answers the close frame
    const polite = await rawJoined(server, 'room:polite');
    assert.deepEqual(await server.stop('SIGTERM', 5000), { code: 0, signal: null });
    assert.deepEqual(await polite.waitClosed(), { code: 1001, reason: 'going_away' });
    deaf.terminate();
  });

  test('SIGINT also shuts down cleanly', async (t) => {
    const server = await startServer({ t });
    const c = await rawJoined(server, 'room:int');
    assert.deepEqual(await server.stop('SIGINT', 5000), { code: 0, signal: null });
    assert.equal((await c.waitClosed()).code, 1001);
  });
});

describe('heartbeat silence', () => {
  test('a socket that never sends is closed with 4408 heartbeat_timeout', async (t) => {
    // One shard, so the check that closes the silent socket has looked at the talker too.
    const server = await startServer({ args: ['--limits-heartbeat-timeout-s', '1', '--threads', '1'], t });
    const silent = await rawJoined(server, 'room:silent');
    const talker = await RawClient.open(server.wsUrl());
    let ref = 0;
    const beat = setInterval(() => talker.send([null, String(++ref), 'phoenix', 'heartbeat', {}]), 200);
    t.after(() => clearInterval(beat));

    const closed = await silent.waitClosed(WAIT_MS);
    assert.deepEqual(closed, { code: 4408, reason: 'heartbeat_timeout' });
    const last = silent.json.at(-1);
    assert.equal(last[3], 'connect_error');
    assert.equal(last[4].code, 4408);
    assert.equal(last[4].reason, 'heartbeat_timeout');
    // A socket that heartbeats is kept.
    assert.equal(talker.closeEvent, null);
    clearInterval(beat);
    talker.close();
    await server.stop();
  });
});

describe('command line', () => {
  test('`sockguard version` prints the version', async () => {
    const r = await runBinary(['version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^sockguard \d+\.\d+\.\d+/);
  });

  test('`sockguard serve --help` lists the options', async () => {
    const r = await runBinary(['serve', '--help']);
    assert.equal(r.code, 0);
    for (const flag of ['--listen', '--data-dir', '--limits-frame-bytes', '--limits-heartbeat-timeout-s',
      '--auth-allow-anonymous', '--channels-public-topics']) {
      assert.ok(r.stdout.includes(flag), `--help does not list ${flag}`);
    }
    assert.match(r.stdout, /SOCKGUARD_LIMITS_FRAME_BYTES/);
  });

  test('`serve --listen nonsense` fails naming server.listen', async (t) => {
    const r = await runBinary(['serve', '--listen', 'nonsense', '--data-dir', tmpDir(t)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /server\.listen/);
    assert.equal(r.stdout, '');
  });

  test('`serve --listen 127.0.0.1:99999` fails naming server.listen', async (t) => {
    const r = await runBinary(['serve', '--listen', '127.0.0.1:99999', '--data-dir', tmpDir(t)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /server\.listen/);
  });

  test('an unknown SOCKGUARD_ variable is a warning naming it, not its value; the server starts', async (t) => {
    // Platforms set variables of their own (a container's SOCKGUARD_VERSION).
    const server = await startServer({ env: { SOCKGUARD_VERSION: 'v-secret-4711' }, t });
    const c = await rawJoined(server, 'room:env');
    c.close();
    await server.stop();
    const output = server.output();
    assert.match(output, /warning: .*SOCKGUARD_VERSION/);
    assert.doesNotMatch(output, /v-secret-4711/);
  });

  test('an unknown key in the config file still fails the start, naming it', async (t) => {
    const dir = tmpDir(t);
    const file = path.join(dir, 'sockguard.toml');
    writeFileSync(file, '[limits]\nframe_byte = 10\n');
    const r = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', dir, '--config', file]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /limits\.frame_byte/);
    assert.equal(r.stdout, '');
  });

  test('a bad value fails the start, naming the flag or variable', async (t) => {
    const flag = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', tmpDir(t), '--limits-frame-bytes', 'lots']);
    assert.notEqual(flag.code, 0);
    assert.match(flag.stderr, /--limits-frame-bytes/);
    const env = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', tmpDir(t)],
      { env: { SOCKGUARD_LIMITS_HEARTBEAT_TIMEOUT_S: '0' } });
    assert.notEqual(env.code, 0);
    assert.match(env.stderr, /SOCKGUARD_LIMITS_HEARTBEAT_TIMEOUT_S/);
  });

  test('an unknown flag fails', async () => {
    const r = await runBinary(['serve', '--no-such-flag']);
    assert.notEqual(r.code, 0);
  });

  test('a port in use fails the start', async (t) => {
    const server = await startServer({ t });
    const r = await runBinary(['serve', '--listen', `127.0.0.1:${server.port}`, '--data-dir', tmpDir(t)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cannot listen/);
    await server.stop();
  });

  test('the banner names the socket URL and the data directory', async (t) => {
    const server = await startServer({ t });
    const banner = server.stdoutLines.join('\n');
    assert.match(banner, new RegExp(`ws://127\\.0\\.0\\.1:${server.port}/socket/websocket`));
    assert.ok(banner.includes(server.dataDir), banner);
    await server.stop();
  });
});
