// Issue 14 §1: a refused stock `phoenix` client (1.8.16, unmodified, default backoff) must
// not hammer the server. It fires onOpen on a 101 and resets its backoff, so a refusal is
// told to it as plain HTTP; only a client that asks (?sockguard_refusal=connect_error, as
// sockguard's own JS client does) gets the upgrade, connect_error and the 44xx close.
// Handshakes are counted by the server (/metrics) for 3 s after the first refusal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Socket } from 'phoenix';
import WebSocket from 'ws';

import { startServer } from './lib/server.mjs';
import { delay, RawClient, withTimeout, WAIT_MS } from './lib/clients.mjs';
import { fetchMetrics, postJson } from './lib/http.mjs';

const JWT_SECRET = 'parity-jwt-secret-0123456789abcdefghijklmnop';
const WINDOW_MS = 3000;
const MAX_HANDSHAKES = 10;

function hs256(claims) {
  const b64u = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u(claims)}`;
  return `${input}.${crypto.createHmac('sha256', JWT_SECRET).update(input).digest('base64url')}`;
}
const nowS = () => Math.floor(Date.now() / 1000);

async function handshakes(server) {
  const m = await fetchMetrics(server);
  return (m.get('sockguard_handshakes_total{result="accepted"}') ?? 0) + (m.get('sockguard_handshakes_total{result="refused"}') ?? 0);
}

async function refusals(server, reason) {
  const m = await fetchMetrics(server);
  for (const [k, v] of m) if (k.startsWith(`sockguard_refusals_total{reason="${reason}"`)) return v;
  return 0;
}

// A ws transport class that sends an Origin (the stock client takes any WebSocket class).
function withOrigin(origin) {
  return class extends WebSocket {
    constructor(url, protocols) { super(url, protocols, { origin }); }
  };
}

// Runs a stock client with its default reconnect schedule for WINDOW_MS after its first
// refusal; returns what the server and the client saw.
async function stockClientFor3s(server, { reason, transport = WebSocket, ...opts }) {
  const before = await handshakes(server);
  const refusedBefore = await refusals(server, reason);
  const socket = new Socket(server.socketUrl, { transport, ...opts });
  let opens = 0;
  let errors = 0;
  socket.onOpen(() => { opens++; });
  socket.onError(() => { errors++; });
  const firstError = new Promise((resolve) => socket.onError(resolve));
  socket.connect();
  try {
    await withTimeout(firstError, WAIT_MS, 'the first refusal');
    await delay(WINDOW_MS);
  } finally {
    socket.disconnect();
  }
  await delay(100);  // a handshake still in flight is counted
  return {
    count: (await handshakes(server)) - before,
    refused: (await refusals(server, reason)) - refusedBefore,
    opens,
    errors,
  };
}

function assertBackedOff(seen, what, t) {
  t.diagnostic(`${what}: ${seen.count} handshakes in ${WINDOW_MS} ms after the first refusal`);
  assert.equal(seen.opens, 0, `${what}: the stock client never opened`);
  assert.ok(seen.refused >= 1, `${what}: refused as expected (${JSON.stringify(seen)})`);
  assert.ok(seen.count >= 2, `${what}: it did retry (${JSON.stringify(seen)})`);
  assert.ok(seen.count <= MAX_HANDSHAKES, `${what}: ${seen.count} handshakes in ${WINDOW_MS} ms`);
}

describe('a refused stock client backs off', () => {
  test('missing_credentials (no credential: a bare socket is a refusal too)', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false' }, t });
    assertBackedOff(await stockClientFor3s(server, { reason: 'missing_credentials' }), 'missing_credentials', t);
  });

  test('token_invalid (authToken that is no token)', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false' }, t });
    assertBackedOff(await stockClientFor3s(server, { reason: 'token_invalid', authToken: 'not-a-token' }), 'token_invalid', t);
  });

  test('token_expired (a JWT past its exp)', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false' }, args: ['--auth-jwt-secret', JWT_SECRET], t });
    const token = hs256({ sub: '42', exp: nowS() - 3600, iat: nowS() - 7200 });
    assertBackedOff(await stockClientFor3s(server, { reason: 'token_expired', authToken: token }), 'token_expired', t);
  });

  test('binding_mismatch (a ticket bound to another client address)', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false' }, t });
    const res = await postJson(server, '/api/socket/ticket', { user_id: '42', client_ip: '192.0.2.1' });
    assert.equal(res.status, 200);
    const { ticket } = await res.json();
    assertBackedOff(await stockClientFor3s(server, { reason: 'binding_mismatch', params: { ticket } }), 'binding_mismatch', t);
  });

  test('session_revoked (a JWT issued before the user was disconnected)', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false' }, args: ['--auth-jwt-secret', JWT_SECRET], t });
    const token = hs256({ sub: '42', exp: nowS() + 600, iat: nowS() - 10 });
    assert.equal((await postJson(server, '/api/users/42/disconnect', {})).status < 300, true);
    assertBackedOff(await stockClientFor3s(server, { reason: 'session_revoked', authToken: token }), 'session_revoked', t);
  });

  test('forbidden_origin (a foreign Origin)', async (t) => {
    const server = await startServer({ t });
    const seen = await stockClientFor3s(server, { reason: 'forbidden_origin', transport: withOrigin('https://evil.example') });
    assertBackedOff(seen, 'forbidden_origin', t);
  });

  test('rate_limited (handshakes per IP)', async (t) => {
    const server = await startServer({
      env: { SOCKGUARD_LIMITS_HANDSHAKES_PER_IP_PER_S: '0.01', SOCKGUARD_LIMITS_HANDSHAKE_BURST_PER_IP: '1' }, t,
    });
    const first = await RawClient.open(server.wsUrl());  // takes the burst
    t.after(() => first.terminate());
    assertBackedOff(await stockClientFor3s(server, { reason: 'rate_limited' }), 'rate_limited', t);
  });

  test('server_busy (limits.sockets_total reached)', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_LIMITS_SOCKETS_TOTAL: '1' }, t });
    const first = await RawClient.open(server.wsUrl());  // the only place
    t.after(() => first.terminate());
    assertBackedOff(await stockClientFor3s(server, { reason: 'server_busy' }), 'server_busy', t);
  });

  test('bad_request (a vsn the server does not speak)', async (t) => {
    const server = await startServer({ t });
    assertBackedOff(await stockClientFor3s(server, { reason: 'bad_request', vsn: '3.0.0' }), 'bad_request', t);
  });
});

// How a refusal reads over plain HTTP, for a client that did not ask for connect_error.
function httpRefusal(url, options = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols ?? [], { origin: options.origin });
    ws.on('open', () => reject(new Error('the upgrade was accepted')));
    ws.on('error', () => {});
    ws.on('unexpected-response', (req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(text) });
        req.destroy();
      });
    });
  }), WAIT_MS, `HTTP refusal of ${url}`);
}

describe('plain-HTTP refusals', () => {
  test('status, JSON body {error, message, reconnect, retry_after_ms} and Retry-After', async (t) => {
    const server = await startServer({
      env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false', SOCKGUARD_LIMITS_SOCKETS_TOTAL: '2' }, t,
    });
    const plain = (params) => server.wsUrl({ sockguard_refusal: null, ...params });

    const missing = await httpRefusal(plain());
    assert.equal(missing.status, 401);
    assert.deepEqual(missing.json, {
      error: 'missing_credentials', message: 'WebSocket connection refused', reconnect: 'after_sign_in', retry_after_ms: null,
    });
    assert.equal(missing.headers['retry-after'], undefined);

    const invalid = await httpRefusal(plain({ ticket: 'x'.repeat(43) }));
    assert.equal(invalid.status, 401);
    assert.equal(invalid.json.error, 'token_invalid');
    assert.equal(invalid.json.reconnect, 'with_new_credentials');

    const origin = await httpRefusal(plain(), { origin: 'https://evil.example' });
    assert.equal(origin.status, 403);
    assert.equal(origin.json.error, 'forbidden_origin');
    assert.equal(origin.json.reconnect, 'never');

    const vsn = await httpRefusal(plain({ vsn: '3.0.0' }));
    assert.equal(vsn.status, 400);
    assert.equal(vsn.json.error, 'bad_request');

    // Two bare sockets that asked for readable refusals take both places.
    const a = await RawClient.open(server.wsUrl());
    const b = await RawClient.open(server.wsUrl());
    t.after(() => { a.terminate(); b.terminate(); });
    const busy = await httpRefusal(plain());
    assert.equal(busy.status, 503);
    assert.equal(busy.json.error, 'server_busy');
    assert.equal(busy.json.reconnect, 'jitter');
    assert.equal(busy.json.retry_after_ms, 5000);
    assert.equal(busy.headers['retry-after'], '5');
  });

  test('429 rate_limited carries Retry-After', async (t) => {
    const server = await startServer({
      env: { SOCKGUARD_LIMITS_HANDSHAKES_PER_IP_PER_S: '0.5', SOCKGUARD_LIMITS_HANDSHAKE_BURST_PER_IP: '1' }, t,
    });
    const first = await RawClient.open(server.wsUrl());
    t.after(() => first.terminate());
    const limited = await httpRefusal(server.wsUrl({ sockguard_refusal: null }));
    assert.equal(limited.status, 429);
    assert.equal(limited.json.error, 'rate_limited');
    assert.equal(limited.json.reconnect, 'after_retry_after');
    assert.ok(limited.json.retry_after_ms > 0);
    assert.equal(limited.headers['retry-after'], String(Math.ceil(limited.json.retry_after_ms / 1000)));
  });

  test('a client that asks (?sockguard_refusal=connect_error) gets the upgrade, connect_error and 4401', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false' }, t });
    const c = new RawClient(server.wsUrl({ vsn: '2.0.0', ticket: 'x'.repeat(43) }));
    assert.deepEqual(await c.waitClosed(), { code: 4401, reason: 'token_invalid' });
    assert.deepEqual(c.json, [[null, null, 'phoenix', 'connect_error',
      { code: 4401, reason: 'token_invalid', reconnect: 'with_new_credentials', retry_after_ms: null }]]);
  });

  test('first-message auth is for clients that ask: they may connect bare', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false' }, t });
    const bare = await RawClient.open(server.wsUrl());
    t.after(() => bare.terminate());
    const beat = await bare.request(null, '1', 'phoenix', 'heartbeat', {});
    assert.deepEqual(beat[4], { status: 'ok', response: {} });
  });

  test('auth.reject_with = message tells every client after the upgrade, and lets any connect bare', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false', SOCKGUARD_AUTH_REJECT_WITH: 'message' }, t });
    const c = new RawClient(server.wsUrl({ sockguard_refusal: null, vsn: '2.0.0', ticket: 'x'.repeat(43) }));
    assert.deepEqual(await c.waitClosed(), { code: 4401, reason: 'token_invalid' });
    assert.equal(c.json[0][3], 'connect_error');
    const bare = await RawClient.open(server.wsUrl({ sockguard_refusal: null, vsn: '2.0.0' }));
    t.after(() => bare.terminate());
    const beat = await bare.request(null, '1', 'phoenix', 'heartbeat', {});
    assert.deepEqual(beat[4], { status: 'ok', response: {} });
  });

  test('auth.reject_with = http answers HTTP even to a client that asks', async (t) => {
    const server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false', SOCKGUARD_AUTH_REJECT_WITH: 'http' }, t });
    const refused = await httpRefusal(server.wsUrl({ vsn: '2.0.0', ticket: 'x'.repeat(43) }));
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error, 'token_invalid');
  });
});
