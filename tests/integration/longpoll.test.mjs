// Phoenix long-poll at /socket/longpoll (issue 14 §2), driven by the unmodified phoenix
// 1.8 client on its LongPoll transport (see lib/longpoll.mjs for how it runs in node) and
// by raw requests where the exchange itself is checked: the first GET opens a session
// (status 410 in the body, with a session token), POSTs carry messages (ndjson batches),
// GETs are held until messages come or the poll window ends (204); broadcasts reach a
// long-poll session through the same hub as a WebSocket; the buffer is bounded
// (slow_consumer), the session token is bound to the client address and cannot be
// edited, an idle session ends, a token from another node is told 410, and a client whose
// WebSocket upgrades are refused by a proxy falls back to long-poll (longPollFallbackMs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import WebSocket from 'ws';
import { Socket } from 'phoenix';

import { startServer } from './lib/server.mjs';
import {
  WAIT_MS, delay, eventually, join, receive, nextEvent, phoenixSocket, socketOpen, disconnect,
} from './lib/clients.mjs';
import { postJson, fetchMetrics } from './lib/http.mjs';
import { longPollClient, trackedParams, opens, lpRequest, LongPoll } from './lib/longpoll.mjs';

const POLL_MS = 1000;
const LP_ENV = { SOCKGUARD_LONGPOLL_POLL_TIMEOUT_MS: String(POLL_MS) };
const quick = { reconnectAfterMs: () => 100, rejoinAfterMs: () => 100, timeout: WAIT_MS };
const decode = (messages) => messages.map((m) => JSON.parse(m));
const ndjson = { 'Content-Type': 'application/x-ndjson' };

async function openSession(base, headers = {}) {
  const open = await lpRequest(base, { headers });
  assert.equal(open.httpStatus, 200, open.text);
  assert.equal(open.json.status, 410, open.text);
  return open.json.token;
}

describe('long-poll with the stock client', () => {
  let server;
  before(async () => { server = await startServer({ env: LP_ENV }); });
  after(() => server?.stop());

  it('opens, joins, pushes and gets replies, receives broadcasts and leaves', async () => {
    const c = longPollClient(server.socketUrl, quick);
    const ws = phoenixSocket(server);
    try {
      c.socket.connect();
      await socketOpen(c.socket);
      assert.ok(c.socket.conn instanceof LongPoll);
      const ch = c.socket.channel('room:lp');
      assert.equal((await join(ch)).status, 'ok');
      assert.deepEqual(await receive(ch.push('ping', { n: 1 })), { status: 'ok', response: { n: 1 } });

      // A broadcast of the HTTP API reaches the long-poll session.
      let got = nextEvent(ch, 'news');
      let res = await postJson(server, '/api/broadcast', { topic: 'room:lp', event: 'news', payload: { x: 1 } });
      assert.equal(res.status, 202);
      assert.deepEqual(await got, { x: 1 });

      // Through the same hub as WebSockets, both ways.
      await socketOpen(ws);
      const wch = ws.channel('room:lp');
      assert.equal((await join(wch)).status, 'ok');
      got = nextEvent(wch, 'shout');
      assert.equal((await receive(ch.push('shout', { from: 'lp' }))).status, 'ok');
      assert.deepEqual(await got, { from: 'lp' });
      got = new Promise((resolve) => ch.on('shout', (p) => p.from === 'ws' && resolve(p)));
      assert.equal((await receive(wch.push('shout', { from: 'ws' }))).status, 'ok');
      assert.deepEqual(await got, { from: 'ws' });

      // Several pushes at once leave in one POST (the client batches them).
      const posts = c.requests.filter((r) => r.method === 'POST').length;
      const replies = await Promise.all([1, 2, 3].map((n) => receive(ch.push('ping', { n }))));
      assert.deepEqual(replies.map((r) => r.response.n), [1, 2, 3]);
      assert.equal(c.requests.filter((r) => r.method === 'POST').length, posts + 1);

      // The stock client resolves a leave at once; the server's phx_close confirms it.
      assert.equal((await receive(ch.leave())).status, 'ok');
      await eventually(() => c.messages.some((m) => m.topic === 'room:lp' && m.event === 'phx_close'), { what: 'phx_close' });
      // Left: a broadcast no longer reaches it (the WebSocket still gets it).
      got = nextEvent(wch, 'after');
      res = await postJson(server, '/api/broadcast', { topic: 'room:lp', event: 'after', payload: {} });
      await got;
      await delay(300);
      assert.ok(!c.messages.some((m) => m.event === 'after'));
      assert.deepEqual(c.errors, []);
      assert.equal(opens(c).length, 1);
    } finally {
      c.forget();
      await disconnect(ws);
    }
  });

  it('takes binary pushes (the client sends them in base64) and broadcasts them to WebSocket subscribers', async () => {
    const c = longPollClient(server.socketUrl, quick);
    const ws = phoenixSocket(server);
    try {
      c.socket.connect();
      const ch = c.socket.channel('room:bin');
      assert.equal((await join(ch)).status, 'ok');
      const wch = ws.channel('room:bin');
      assert.equal((await join(wch)).status, 'ok');
      const got = nextEvent(wch, 'blob');
      assert.equal((await receive(ch.push('blob', new Uint8Array([0, 1, 2, 250, 255]).buffer))).status, 'ok');
      assert.deepEqual([...new Uint8Array(await got)], [0, 1, 2, 250, 255]);
      // The long-poll session itself gets no binary frame (its messages are JSON strings).
      await delay(300);
      assert.ok(!c.messages.some((m) => m.event === 'blob'));
    } finally {
      c.forget();
      await disconnect(ws);
    }
  });

  it('speaks the exchange as Phoenix does: 410 + token, ndjson POSTs, held GETs, 204 after the window', async () => {
    const base = server.httpUrl;
    const open = await lpRequest(base);
    assert.equal(open.httpStatus, 200);
    assert.equal(open.headers.get('cache-control'), 'no-store');
    assert.equal(open.json.status, 410);
    assert.deepEqual(open.json.messages, []);
    assert.match(open.json.token, /^lp1\./);
    const token = open.json.token;

    const batch = [['1', '1', 'room:raw', 'phx_join', {}], ['1', '2', 'room:raw', 'ping', { a: 1 }]]
      .map((m) => JSON.stringify(m)).join('\n');
    const post = await lpRequest(base, { method: 'POST', params: { token }, headers: ndjson, body: batch });
    assert.deepEqual(post.json, { status: 200 });
    const poll = await lpRequest(base, { params: { token } });
    assert.equal(poll.json.status, 200);
    assert.match(poll.json.token, /^lp1\./);
    assert.deepEqual(decode(poll.json.messages), [
      ['1', '1', 'room:raw', 'phx_reply', { status: 'ok', response: {} }],
      ['1', '2', 'room:raw', 'phx_reply', { status: 'ok', response: { a: 1 } }],
    ]);

    // Nothing to take: held for the window, then 204.
    const t0 = Date.now();
    const empty = await lpRequest(base, { params: { token: poll.json.token } });
    assert.equal(empty.json.status, 204);
    assert.ok(Date.now() - t0 >= POLL_MS - 100, `answered after ${Date.now() - t0} ms`);

    // A held GET is answered as soon as a message comes.
    const held = lpRequest(base, { params: { token } });
    await delay(200);
    await postJson(server, '/api/broadcast', { topic: 'room:raw', event: 'now', payload: { y: 2 } });
    const woke = await held;
    assert.equal(woke.json.status, 200);
    assert.deepEqual(decode(woke.json.messages), [[null, null, 'room:raw', 'now', { y: 2 }]]);

    // Messages without a session: gone.
    const orphan = await lpRequest(base, { method: 'POST', headers: ndjson, body: batch });
    assert.equal(orphan.json.status, 410);
    // More than a batch (100 lines) is not a batch the client sends.
    const tooMany = Array.from({ length: 101 }, (_, i) => JSON.stringify([null, String(i), 'phoenix', 'heartbeat', {}]));
    const over = await lpRequest(base, { method: 'POST', params: { token }, headers: ndjson, body: tooMany.join('\n') });
    assert.equal(over.json.status, 403);
    assert.equal(over.json.error, 'bad_request');
  });

  it('an idle session ends, and the poll after its last message is told why', async () => {
    const idle = await startServer({ env: { ...LP_ENV, SOCKGUARD_LONGPOLL_IDLE_TIMEOUT_S: '1' } });
    try {
      const token = await openSession(idle.httpUrl);
      await eventually(async () => (await fetchMetrics(idle)).get('sockguard_connections') === 1, { what: 'session counted' });
      // Idle for more than 1 s: the once-a-second sweep ends it.
      await eventually(async () => (await fetchMetrics(idle)).get('sockguard_connections') === 0, { what: 'idle end' });
      const last = await lpRequest(idle.httpUrl, { params: { token } });
      assert.equal(last.json.status, 200, last.text);
      const [[, , topic, event, payload]] = decode(last.json.messages);
      assert.deepEqual([topic, event, payload.reason], ['phoenix', 'connect_error', 'heartbeat_timeout']);
      const end = await lpRequest(idle.httpUrl, { params: { token } });
      assert.equal(end.httpStatus, 200);
      assert.deepEqual([end.json.status, end.json.error], [410, 'heartbeat_timeout']);
      const after = await lpRequest(idle.httpUrl, { params: { token } });
      assert.deepEqual([after.json.status, after.json.error], [410, 'session_gone']);
      const metrics = await fetchMetrics(idle);
      assert.equal(metrics.get('sockguard_connections'), 0);
      assert.equal(metrics.get('sockguard_closes_total{reason="heartbeat_timeout",code="4408"}'), 1);
    } finally {
      await idle.stop();
    }
  });

  it('each token reaches the last poll its session can answer: the window, the idle end, and the end kept for that poll', async () => {
    // Seen under ASan: a session ended idle (up to idle + 1 s after its last poll, by the
    // once-a-second sweep) keeps its end for idle_timeout_s more, but its token had
    // expired by then, so the poll that should have learnt why got 410 session_gone.
    const idleS = 3;
    const idle = await startServer({ env: { ...LP_ENV, SOCKGUARD_LONGPOLL_IDLE_TIMEOUT_S: String(idleS) } });
    try {
      const before = Math.floor(Date.now() / 1000);
      const token = await openSession(idle.httpUrl);
      // lp1.<node>.<shard>.<session>.<user>.<expires, unix s>.<address tag>.<mac>
      const expires = Number(token.split('.')[5]);
      const lastAnswerable = before + POLL_MS / 1000 + idleS + 1 + idleS;
      assert.ok(expires > lastAnswerable, `expires ${expires - before} s after the open; the end may be asked for until ${lastAnswerable - before} s`);
      const poll = await lpRequest(idle.httpUrl, { params: { token } });
      assert.equal(Number(poll.json.token.split('.')[5]) > Math.floor(Date.now() / 1000) + idleS * 2, true, poll.text);
    } finally {
      await idle.stop();
    }
  });

  it('a token from another node (or an earlier run) is told 410, and the stock client opens a new session', async () => {
    const other = await startServer({ env: LP_ENV });
    try {
      const foreign = await openSession(other.httpUrl);
      const there = await lpRequest(server.httpUrl, { params: { token: foreign } });
      assert.equal(there.httpStatus, 200);
      assert.deepEqual([there.json.status, there.json.error], [410, 'session_gone']);
    } finally {
      await other.stop();
    }
  });
});

describe('a same-origin page\'s polls (browsers send no Origin on a same-origin GET)', () => {
  it('Sec-Fetch-Site: same-origin stands for the server\'s own origin; nothing else does', async (t) => {
    const server = await startServer({ t, env: LP_ENV });
    const ticketFor = async () => {
      // A backend mints for user 5, bound to the page's origin (the server's own here).
      const res = await postJson(server, '/api/socket/ticket', { user_id: '5', origin: server.httpUrl });
      assert.equal(res.status, 200);
      return (await res.json()).ticket;
    };
    const sameOrigin = await lpRequest(server.httpUrl, { params: { ticket: await ticketFor() }, headers: { 'Sec-Fetch-Site': 'same-origin' } });
    assert.equal(sameOrigin.json.status, 410, sameOrigin.text);
    for (const headers of [{}, { 'Sec-Fetch-Site': 'cross-site' }]) {
      const res = await lpRequest(server.httpUrl, { params: { ticket: await ticketFor() }, headers });
      assert.deepEqual([res.json.status, res.json.error], [403, 'binding_mismatch'], JSON.stringify(headers));
    }
    // An allowed Origin gets CORS headers; a foreign one is refused.
    const cors = await lpRequest(server.httpUrl, { method: 'OPTIONS', headers: { Origin: server.httpUrl } });
    assert.equal(cors.httpStatus, 200);
    assert.equal(cors.headers.get('access-control-allow-origin'), server.httpUrl);
    assert.match(cors.headers.get('access-control-allow-headers'), /X-Phoenix-AuthToken/);
    const foreign = await lpRequest(server.httpUrl, { headers: { Origin: 'https://evil.example.net' } });
    assert.equal(foreign.httpStatus, 403);
    assert.deepEqual([foreign.json.status, foreign.json.error], [403, 'forbidden_origin']);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });
});

describe('long-poll and shutdown', () => {
  it('a server stopping with polls held and sessions open exits cleanly', async () => {
    const server = await startServer({ env: { ...LP_ENV, SOCKGUARD_LONGPOLL_POLL_TIMEOUT_MS: '30000' } });
    const tokens = await Promise.all([1, 2, 3, 4].map(() => openSession(server.httpUrl)));
    const held = tokens.map((token) => lpRequest(server.httpUrl, { params: { token } }).catch((e) => e));
    await delay(200);
    const exit = await server.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    await Promise.all(held);
    server.cleanup();
  });
});

describe('long-poll limits', () => {
  it('a buffer past limits.outbound_queue_bytes ends the session slow_consumer; the client reconnects', async (t) => {
    const server = await startServer({ t, env: { ...LP_ENV, SOCKGUARD_LIMITS_OUTBOUND_QUEUE_BYTES: '1024' } });
    const c = longPollClient(server.socketUrl, quick);
    try {
      c.socket.connect();
      const ch = c.socket.channel('room:slow');
      assert.equal((await join(ch)).status, 'ok');
      const broadcasts = Array.from({ length: 40 }, (_, i) => ({ topic: 'room:slow', event: 'fill', payload: { i, pad: 'x'.repeat(100) } }));
      const res = await postJson(server, '/api/broadcast/batch', { broadcasts });
      assert.equal(res.status, 202, await res.text());
      await eventually(() => c.errors.some((e) => e.error === 410), { what: 'onError(410)' });
      const told = c.requests.find((r) => r.body?.error === 'slow_consumer');
      assert.ok(told, JSON.stringify(c.requests.map((r) => r.body)));
      assert.equal(told.body.status, 410);
      assert.ok(c.messages.filter((m) => m.event === 'fill').length < broadcasts.length);
      assert.equal((await fetchMetrics(server)).get('sockguard_closes_total{reason="slow_consumer",code="4509"}'), 1);
      // A new session, and the channel joined again on it.
      await eventually(() => opens(c).length === 2 && ch.state === 'joined', { what: 'rejoin on a new session' });
    } finally {
      c.forget();
    }
  });

  it('the session token is bound to the client address and cannot be edited', async (t) => {
    const server = await startServer({ t, env: { ...LP_ENV, SOCKGUARD_AUTH_TRUSTED_PROXIES: '127.0.0.1' } });
    const base = server.httpUrl;
    const here = { 'X-Forwarded-For': '203.0.113.5' };
    const token = await openSession(base, here);
    const ok = await lpRequest(base, { params: { token }, headers: here });
    assert.equal(ok.json.status, 204);

    const elsewhere = await lpRequest(base, { params: { token }, headers: { 'X-Forwarded-For': '203.0.113.6' } });
    assert.equal(elsewhere.httpStatus, 401);
    assert.deepEqual([elsewhere.json.status, elsewhere.json.error], [403, 'binding_mismatch']);
    const postElsewhere = await lpRequest(base, {
      method: 'POST', params: { token }, headers: { ...ndjson, 'X-Forwarded-For': '203.0.113.6' },
      body: JSON.stringify([null, '1', 'phoenix', 'heartbeat', {}]),
    });
    assert.deepEqual([postElsewhere.json.status, postElsewhere.json.error], [403, 'binding_mismatch']);

    // Any edit: the session id, the user, the expiry, the address tag, the signature.
    const parts = token.split('.');
    const flip = (s) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    for (const i of [3, 4, 5, 6, 7]) {
      const edited = parts.map((p, j) => (j === i ? (i === 5 ? String(Number(p) + 3600) : flip(p || 'x')) : p)).join('.');
      const res = await lpRequest(base, { params: { token: edited }, headers: here });
      assert.equal(res.httpStatus, 401, `part ${i}`);
      assert.deepEqual([res.json.status, res.json.error], [403, 'token_invalid'], `part ${i}`);
    }
    // The header form (newer Phoenix clients) is read the same way.
    const viaHeader = await lpRequest(base, { headers: { ...here, 'X-Phoenix-LongPoll-Token': `${token}x` } });
    assert.deepEqual([viaHeader.json.status, viaHeader.json.error], [403, 'token_invalid']);

    // The stock client whose requests start coming from another address is refused, tells
    // onError(403), and opens a new session from where it is now.
    const c = longPollClient(server.socketUrl, { ...quick, headers: { ...here } });
    try {
      c.socket.connect();
      await socketOpen(c.socket);
      c.headers['X-Forwarded-For'] = '203.0.113.9';
      await eventually(() => c.errors.some((e) => e.error === 403), { what: 'onError(403)' });
      assert.ok(c.requests.some((r) => r.body?.error === 'binding_mismatch'));
      await eventually(() => opens(c).length === 2 && c.socket.isConnected(), { what: 'a new session' });
    } finally {
      c.forget();
    }
  });
});

// A proxy that forwards HTTP but refuses (or swallows) every WebSocket upgrade, as some
// corporate proxies and middleboxes do: the situation longPollFallbackMs is for.
async function blockingProxy(targetPort, mode) {
  const held = [];
  const proxy = http.createServer((req, res) => {
    const up = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  let upgrades = 0;
  proxy.on('upgrade', (req, socket) => {
    upgrades++;
    if (mode === 'refuse') socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else held.push(socket);  // never answered
  });
  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${proxy.address().port}/socket`,
    upgrades: () => upgrades,
    close: () => { for (const s of held) s.destroy(); proxy.closeAllConnections(); proxy.close(); },
  };
}

describe('longPollFallbackMs while WebSocket upgrades are refused', () => {
  let server;
  before(async () => { server = await startServer({ env: LP_ENV }); });
  after(() => server?.stop());

  for (const mode of ['refuse', 'swallow']) {
    it(`falls back to long-poll and joins (the proxy ${mode}s upgrades)`, async () => {
      const proxy = await blockingProxy(server.port, mode);
      const { client, params } = trackedParams();
      const socket = new Socket(proxy.url, { transport: WebSocket, longPollFallbackMs: 500, params, ...quick });
      try {
        const t0 = Date.now();
        socket.connect();
        const ch = socket.channel('room:fallback');
        const joined = join(ch, 4000);
        assert.equal((await joined).status, 'ok');
        assert.ok(socket.conn instanceof LongPoll, 'the socket ended on long-poll');
        assert.equal(socket.transport, LongPoll);
        assert.ok(proxy.upgrades() >= 1, 'the WebSocket was tried first');
        assert.equal(opens(client).length, 1);
        if (mode === 'swallow') assert.ok(Date.now() - t0 >= 450, 'fell back on the timer');
        const got = nextEvent(ch, 'hi');
        await postJson(server, '/api/broadcast', { topic: 'room:fallback', event: 'hi', payload: { via: 'lp' } });
        assert.deepEqual(await got, { via: 'lp' });
      } finally {
        socket.disconnect();
        proxy.close();
      }
    });
  }
});
