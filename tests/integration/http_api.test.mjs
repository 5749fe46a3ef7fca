// The HTTP side: health, metrics, the broadcast API, errors, and request limits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { API_KEY, startServer } from './lib/server.mjs';
import { RawClient, rawJoined, withTimeout, WAIT_MS } from './lib/clients.mjs';
import { metricsMap, rawRequest } from './lib/http.mjs';

const BODY_BYTES = 2048;

describe('HTTP API', () => {
  let server;
  const url = (p) => `${server.httpUrl}${p}`;
  const broadcast = (body, headers = {}) => fetch(url('/api/broadcast'), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const metrics = async () => metricsMap(await (await fetch(url('/metrics'))).text());

  before(async () => {
    server = await startServer({ args: ['--limits-request-timeout-s', '1', '--limits-body-bytes', String(BODY_BYTES)] });
  });
  after(async () => {
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  test('GET /healthz answers 200 JSON', async () => {
    const res = await fetch(url('/healthz'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  test('GET /readyz: with memory and SQLite only there is no back end to wait for', async () => {
    const res = await fetch(url('/readyz'));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok', checks: {} });
  });

  test('HEAD /healthz answers 200 without a body', async () => {
    const res = await fetch(url('/healthz'), { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), '');
  });

  test('GET /metrics is Prometheus text with connections and refusals by reason', async () => {
    const res = await fetch(url('/metrics'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^# TYPE sockguard_connections gauge$/m);
    assert.match(text, /^sockguard_connections \d+$/m);
    for (const [reason, code] of [['bad_request', 4400], ['missing_credentials', 4401], ['forbidden_origin', 4403],
      ['rate_limited', 4429], ['server_busy', 4503]]) {
      assert.match(text, new RegExp(`^sockguard_refusals_total\\{reason="${reason}",code="${code}"\\} \\d+$`, 'm'));
    }
    // Every sample line is "name{labels} value".
    for (const line of text.split('\n')) {
      if (line && !line.startsWith('#')) assert.match(line, /^[a-z_]+(\{[^}]*\})? -?[0-9.e+]+$/, line);
    }
  });

  test('metrics move: connections, joins, refusals', async () => {
    const before = await metrics();
    const c = await rawJoined(server, 'room:metrics');
    const during = await metrics();
    assert.equal(during.get('sockguard_joins_total{result="ok"}'), before.get('sockguard_joins_total{result="ok"}') + 1);
    assert.ok(during.get('sockguard_connections') >= 1);
    assert.equal(during.get('sockguard_connections_total'), before.get('sockguard_connections_total') + 1);
    const err = await c.request('2', '2', 'nope:1', 'phx_join', {});
    assert.equal(err[4].status, 'error');
    c.close();
    await c.waitClosed();

    // Refused before the upgrade (an unknown vsn is plain HTTP 400, as in Phoenix).
    const refused = new RawClient(server.wsUrl({ vsn: '9.9.9' }));
    await assert.rejects(refused.opened, /unexpected HTTP 400/);
    const later = await metrics();
    assert.equal(later.get('sockguard_joins_total{result="error"}'), before.get('sockguard_joins_total{result="error"}') + 1);
    const key = 'sockguard_refusals_total{reason="bad_request",code="4400"}';
    assert.equal(later.get(key), before.get(key) + 1);
    assert.ok(later.get('sockguard_http_requests_total') > before.get('sockguard_http_requests_total'));
  });

  test('each message in and out is counted once', async () => {
    const c = await rawJoined(server, 'room:counting');
    const before = await metrics();
    const reply = await c.request('1', '2', 'room:counting', 'ping', { n: 1 });
    assert.equal(reply[4].status, 'ok');
    const afterPing = await metrics();
    assert.equal(afterPing.get('sockguard_messages_in_total'), before.get('sockguard_messages_in_total') + 1);
    assert.equal(afterPing.get('sockguard_messages_out_total'), before.get('sockguard_messages_out_total') + 1);

    assert.equal((await broadcast({ topic: 'room:counting', event: 'tick', payload: {} })).status, 202);
    await c.waitForEvent('room:counting', 'tick');
    const afterBroadcast = await metrics();
    assert.equal(afterBroadcast.get('sockguard_messages_in_total'), afterPing.get('sockguard_messages_in_total'));
    assert.equal(afterBroadcast.get('sockguard_messages_out_total'), afterPing.get('sockguard_messages_out_total') + 1);
    assert.equal(afterBroadcast.get('sockguard_broadcasts_total'), afterPing.get('sockguard_broadcasts_total') + 1);
    assert.equal(afterBroadcast.get('sockguard_deliveries_total'), afterPing.get('sockguard_deliveries_total') + 1);
    assert.equal(afterBroadcast.get('sockguard_broadcast_backlog'), 0);
    // The broadcast and the earlier replies each left in a write of their own.
    assert.ok(afterBroadcast.get('sockguard_socket_writes_total') > afterPing.get('sockguard_socket_writes_total'));
    c.close();
    await c.waitClosed();
  });

  describe('POST /api/broadcast', () => {
    test('401 without a key', async () => {
      const res = await fetch(url('/api/broadcast'), {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"topic":"room:a","event":"e"}',
      });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error, 'missing_credentials');
    });

    test('401 with a wrong key', async () => {
      const res = await broadcast({ topic: 'room:a', event: 'e' }, { Authorization: 'Bearer not-the-right-key-at-all-000' });
      assert.equal(res.status, 401);
      assert.equal((await res.json()).error, 'token_invalid');
    });

    test('401 with a key that is a prefix of the real one', async () => {
      const res = await broadcast({ topic: 'room:a', event: 'e' }, { Authorization: `Bearer ${API_KEY.slice(0, -1)}` });
      assert.equal(res.status, 401);
    });

    test('415 for a non-JSON content type', async () => {
      const res = await broadcast('topic=room:a&event=e', { 'Content-Type': 'application/x-www-form-urlencoded' });
      assert.equal(res.status, 415);
      assert.equal((await res.json()).error, 'unsupported_media_type');
    });

    for (const [name, body] of [
      ['a missing topic', { event: 'e' }],
      ['an empty topic', { topic: '', event: 'e' }],
      ['a number topic', { topic: 5, event: 'e' }],
      ['a topic over 255 bytes', { topic: `room:${'x'.repeat(300)}`, event: 'e' }],
      ['a phx_ event', { topic: 'room:a', event: 'phx_close' }],
      ['a missing event', { topic: 'room:a' }],
      ['invalid JSON', '{"topic": "room:a",'],
      ['a JSON array', '["room:a","e"]'],
    ]) {
      test(`400 for ${name}`, async () => {
        const res = await broadcast(body);
        assert.equal(res.status, 400);
        assert.equal((await res.json()).error, 'bad_request');
      });
    }

    test('202 and the joined sockets receive it', async () => {
      const a = await rawJoined(server, 'room:api');
      const b = await rawJoined(server, 'room:api', { vsn: '1.0.0' });
      const res = await broadcast({ topic: 'room:api', event: 'news', payload: { n: 1, s: 'ü' } });
      assert.equal(res.status, 202);
      assert.deepEqual(await res.json(), { status: 'accepted' });
      assert.deepEqual(await a.waitForEvent('room:api', 'news'), [null, null, 'room:api', 'news', { n: 1, s: 'ü' }]);
      const v1 = await b.waitFor((m) => m.json?.event === 'news', { what: 'V1 broadcast' });
      assert.deepEqual(v1.json.payload, { n: 1, s: 'ü' });
      a.close();
      b.close();
    });

    test('202 without a payload sends an empty object', async () => {
      const a = await rawJoined(server, 'room:api2');
      assert.equal((await broadcast({ topic: 'room:api2', event: 'bare' })).status, 202);
      assert.deepEqual(await a.waitForEvent('room:api2', 'bare'), [null, null, 'room:api2', 'bare', {}]);
      a.close();
    });
  });

  test('unknown path: 404 JSON', async () => {
    const res = await fetch(url('/no/such/thing'));
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    assert.equal((await res.json()).error, 'not_found');
  });

  test('wrong method: 405 JSON', async () => {
    const res = await fetch(url('/api/broadcast'));
    assert.equal(res.status, 405);
    assert.equal((await res.json()).error, 'method_not_allowed');
    const del = await fetch(url('/healthz'), { method: 'DELETE' });
    assert.equal(del.status, 405);
  });

  test('headers over limits.header_bytes: 431', async () => {
    const res = await rawRequest(server.port,
      `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    assert.equal(res.status, 431);
    assert.equal(JSON.parse(res.body).error, 'headers_too_large');
  });

  test('body over limits.body_bytes: 413', async () => {
    const body = JSON.stringify({ topic: 'room:a', event: 'e', payload: { pad: 'x'.repeat(BODY_BYTES * 2) } });
    const res = await rawRequest(server.port, 'POST /api/broadcast HTTP/1.1\r\nHost: 127.0.0.1\r\n'
      + `Authorization: Bearer ${API_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.body).error, 'body_too_large');
  });

  test('500 pipelined requests in one write are all answered, in order, on the one connection', async () => {
    // The requests still in the buffer behind each answered one must not be forgotten.
    const n = 500;
    const request = (i) => `GET /healthz?n=${i} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
    const res = await rawRequest(server.port, Array.from({ length: n }, (_, i) => request(i)).join(''));
    assert.equal(res.status, 200);
    const statuses = res.raw.match(/HTTP\/1\.1 \d{3}/g);
    assert.equal(statuses.length, n);
    assert.ok(statuses.every((line) => line === 'HTTP/1.1 200'));
  });

  test('malformed request line: 400', async () => {
    const res = await rawRequest(server.port, 'THIS IS NOT HTTP\r\n\r\n');
    assert.equal(res.status, 400);
  });

  test('a half-sent handshake blocks nobody and is closed after limits.request_timeout_s', async () => {
    const slow = net.connect(server.port, '127.0.0.1');
    const received = [];
    slow.on('data', (d) => received.push(d));
    slow.on('error', () => {});
    const closed = new Promise((resolve) => slow.on('close', resolve));
    await withTimeout(new Promise((resolve) => slow.on('connect', resolve)), WAIT_MS, 'connect');
    slow.write('GET /socket/websocket?vsn=2.0.0 HTT');

    // Others are served meanwhile.
    const res = await fetch(url('/healthz'));
    assert.equal(res.status, 200);
    const c = await rawJoined(server, 'room:meanwhile');
    assert.equal((await c.request('1', '2', 'room:meanwhile', 'ping', { ok: 1 }))[4].status, 'ok');
    c.close();

    // request_timeout_s is 1: the server hangs up well within the bounded wait.
    await withTimeout(closed, WAIT_MS, 'the server to close the half-sent request');
    assert.equal(Buffer.concat(received).length, 0, 'no answer to a request never finished');
  });

  test('on a keep-alive connection each request gets its own limits.request_timeout_s', async () => {
    const s = net.connect(server.port, '127.0.0.1');
    s.on('error', () => {});
    let received = '';
    let answered = () => {};
    s.on('data', (d) => {
      received += d.toString();
      if ((received.match(/HTTP\/1\.1 200/g) || []).length >= 2) answered();
    });
    const closed = new Promise((resolve) => s.on('close', () => resolve(Date.now())));
    await withTimeout(new Promise((resolve) => s.on('connect', resolve)), WAIT_MS, 'connect');
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 700));
    // Within the first request's deadline: a second request, whose deadline (1 s) runs from
    // its answer, past the first one's.
    const second = Date.now();
    const both = new Promise((resolve) => { answered = resolve; });
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await withTimeout(both, WAIT_MS, 'the two answers');
    const at = await withTimeout(closed, WAIT_MS, 'the server to close the idle keep-alive connection');
    assert.ok(at - second >= 950, `closed ${at - second} ms after the second request, before its 1 s`);
  });

  test('several idle half-open connections do not block a WebSocket join', async () => {
    const idle = [];
    for (let i = 0; i < 5; i++) {
      const s = net.connect(server.port, '127.0.0.1');
      s.on('error', () => {});
      s.on('connect', () => s.write('POST /api/broadcast HTTP/1.1\r\nContent-Length: 100\r\n\r\n{"to'));
      idle.push(new Promise((resolve) => s.on('close', resolve)));
    }
    const c = await rawJoined(server, 'room:idle');
    c.close();
    await withTimeout(Promise.all(idle), WAIT_MS, 'the idle connections to be closed');
  });
});
