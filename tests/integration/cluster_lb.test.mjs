// A cluster behind a real load balancer (issue 11): nginx (scripts/cluster-nginx.conf, the
// configuration `make cluster` runs) in front of three sockguard nodes on one redis-server
// and one PostgreSQL, every part started here on free loopback ports. The nodes trust
// nginx's X-Forwarded-For (auth.trusted_proxies); clients connect from other loopback
// addresses (127.0.0.2, ...) so that the address a node believes is visibly nginx's header.
//
// Checked: the web page's flow (register, ticket, socket) through nginx whichever node each
// request lands on, with the ticket bound to the client's address as forwarded; SIGKILL of a
// node: its clients (the stock phoenix client and sockguard's JS client) are back through
// nginx on the others and joined, and no socket on another node notices; PostgreSQL stopped
// and started again under the running cluster; SIGTERM on a node drains it (1001), then it exits.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'phoenix';
import WebSocket from 'ws';

import { startRedis, startNodes, broadcast, metric, withTimeout, sleep, APP, HS_SECRET } from './lib/cluster.mjs';
import { startNginx } from './lib/nginx.mjs';
import { startPostgres, PG_PASSWORD } from './lib/postgres.mjs';
import { signJwt, nowS, postTicket, socketUrl, openRaw, acceptedRaw, expectRefused, request } from './security/lib/clients.mjs';
import { register, PASSWORD, sessionTicketHeaders } from './security/lib/accounts.mjs';
import { remember } from './security/lib/secrets.mjs';
import { connectSocket, joinChannel } from '../../clients/js/src/index.js';

remember(PG_PASSWORD);
const jwtFor = (user) => signJwt({ sub: String(user), exp: nowS() + 600, iat: nowS() }, { key: HS_SECRET });

async function eventually(check, what, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

// Open sockets per node, from each node's /metrics.
async function socketsPerNode(nodes) {
  return Promise.all(nodes.map(async (n) => (n.exited ? 0 : (await metric(n, 'sockguard_connections')) ?? 0)));
}

// The stock phoenix client through nginx, from `localAddress`, reconnecting and rejoining
// as it does by default (fast, so the test need not wait its 5 s steps), on a JWT.
function phoenixThrough(lb, user, localAddress) {
  class Transport extends WebSocket {
    constructor(url, protocols) { super(url, protocols, { origin: APP, localAddress }); }
  }
  const socket = new Socket(lb.socketBase, {
    transport: Transport,
    authToken: jwtFor(user),
    reconnectAfterMs: () => 100,
    rejoinAfterMs: () => 100,
    heartbeatIntervalMs: 60 * 1000,
  });
  const client = { kind: 'phoenix', socket, closes: 0, messages: [] };
  socket.onClose(() => { client.closes += 1; });
  socket.onMessage((m) => client.messages.push(m));
  socket.connect();
  client.channel = socket.channel('room:lb', {});
  client.channel.on('news', (payload) => client.messages.push({ event: 'news', payload }));
  client.channel.join();
  client.joined = () => socket.isConnected() && client.channel.state === 'joined';
  client.stop = () => new Promise((resolve) => {
    socket.reconnectTimer.reset();
    for (const channel of socket.channels) channel.rejoinTimer.reset();
    socket.disconnect(resolve, 1000);
    setTimeout(resolve, 1500).unref();
  });
  return client;
}

// sockguard's JS client through nginx: a ticket (POST through nginx) before every connect.
function jsClientThrough(lb, user, localAddress) {
  const fetchThrough = async (url, init = {}) => {
    const res = await request(init.method ?? 'GET', url, {
      headers: { ...Object.fromEntries(new Headers(init.headers).entries()), Origin: APP },
      body: init.body, localAddress,
    });
    return new Response(res.text, { status: res.status, headers: { 'content-type': res.headers['content-type'] ?? '' } });
  };
  const urls = [];
  class Transport extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { origin: APP, localAddress });
      urls.push(url);
    }
  }
  const states = [];
  const socket = connectSocket({
    socketUrl: lb.socketBase,
    ticketUrl: `${lb.http}/api/socket/ticket`,
    authToken: jwtFor(user),
    fetch: fetchThrough,
    transport: Transport,
    onState: (state, detail) => states.push({ state, detail }),
    backoff: { base_ms: 100, max_ms: 500, credential_retry_ms: 50 },
  });
  const client = { kind: 'js', socket, states, urls, messages: [] };
  client.closes = 0;
  socket.onClose(() => { client.closes += 1; });
  socket.connect();
  client.ready = joinChannel(socket, 'room:lb').then((channel) => {
    client.channel = channel;
    channel.on('news', (payload) => client.messages.push({ event: 'news', payload }));
  });
  client.joined = () => socket.isConnected() && client.channel?.state === 'joined';
  client.stop = () => { socket.disconnect(); };
  return client;
}

describe('a cluster behind nginx', () => {
  let redis, pg, lb;
  let nodes = [];
  before(async () => {
    redis = await startRedis();
    pg = await startPostgres();
    await pg.createDatabase('cluster_lb');
    nodes = await startNodes(redis, 3, {
      '--store-database-url': pg.url('cluster_lb'),
      '--auth-trusted-proxies': '127.0.0.1',
      '--shutdown-grace-ms': '2000',
    });
    lb = await startNginx(nodes.map((n) => n.port));
  });
  after(async () => {
    await lb?.dispose();
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await redis?.dispose();
    await pg?.dispose();
  });

  it('the web page\'s flow through nginx: page, register, ticket, socket, on whichever node', async () => {
    const page = await request('GET', `${lb.http}/`, { localAddress: '127.0.0.2' });
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'], /text\/html/);
    const session = await register(lb, 'lb-page@example.com', APP);
    const before = await socketsPerNode(nodes);
    const conns = [];
    try {
      const counters = (name) => Promise.all(nodes.map(async (n) => (await metric(n, name)) ?? 0));
      let crossed = 0;  // tickets used on another node than the one that minted them
      for (let i = 0; i < 6; i++) {
        // Each request goes to the least busy node: tickets minted on one are used on another.
        const requests = await counters('sockguard_http_requests_total');
        const res = await postTicket(lb, { origin: APP, headers: sessionTicketHeaders(session), localAddress: '127.0.0.2' });
        assert.equal(res.status, 200, res.text);
        // The Host nginx passes on: the socket URL a node hands out points at the load balancer.
        assert.equal(res.json.socket_url, `ws://127.0.0.1:${lb.port}/socket`);
        // (Each node's count grew by the /metrics read above, and the minting node's by one more.)
        const minted = (await counters('sockguard_http_requests_total')).findIndex((n, j) => n - requests[j] === 2);
        const sockets = await counters('sockguard_connections_total');
        conns.push(await acceptedRaw(socketUrl(lb, { ticket: res.json.ticket }), { origin: APP, localAddress: '127.0.0.2' }));
        const opened = (await counters('sockguard_connections_total')).findIndex((n, j) => n > sockets[j]);
        assert.ok(minted >= 0 && opened >= 0, `minted on ${minted}, opened on ${opened}`);
        if (minted !== opened) crossed += 1;
      }
      assert.ok(crossed > 0, 'no ticket was used on another node than its own');
      const after = await socketsPerNode(nodes);
      const gained = after.map((n, i) => n - before[i]);
      assert.equal(gained.reduce((a, b) => a + b, 0), 6, `per node: ${gained}`);
      assert.ok(gained.filter((n) => n > 0).length >= 2, `nginx spread the sockets: ${gained}`);
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  it('the nodes take the client\'s address from nginx\'s X-Forwarded-For, not the client\'s own', async () => {
    // Minted from 127.0.0.2 with a forged header: nginx appends the real peer, the node
    // takes the nearest address that is not a trusted proxy, 127.0.0.2.
    const res = await postTicket(lb, {
      bearer: jwtFor('lb-xff'), origin: APP, localAddress: '127.0.0.2', headers: { 'X-Forwarded-For': '127.0.0.9' },
    });
    assert.equal(res.status, 200, res.text);
    const elsewhere = openRaw(socketUrl(lb, { ticket: res.json.ticket }), { origin: APP, localAddress: '127.0.0.9' });
    await expectRefused(elsewhere, 4401, 'binding_mismatch');
    await elsewhere.close();
    // A refused presentation spends the ticket: a new one, used from the minting address.
    const again = await postTicket(lb, { bearer: jwtFor('lb-xff'), origin: APP, localAddress: '127.0.0.2' });
    const conn = await acceptedRaw(socketUrl(lb, { ticket: again.json.ticket }), { origin: APP, localAddress: '127.0.0.2' });
    await conn.close();
    // Without the proxy's header every client would be 127.0.0.1 (nginx) and the first
    // presentation above would have passed: the binding held on the forwarded address.
  });

  it('SIGKILL of a node: its clients are back through nginx on the others and joined; the others notice nothing', async () => {
    const clients = [];
    try {
      for (let i = 0; i < 6; i++) {
        clients.push(phoenixThrough(lb, `lb-phx-${i}`, '127.0.0.3'));
        clients.push(jsClientThrough(lb, `lb-js-${i}`, '127.0.0.4'));
      }
      await eventually(() => clients.every((c) => c.joined()), 'every client joined');
      const counts = await socketsPerNode(nodes);
      // The node with the most of them goes; least_conn put some on every node.
      const victim = counts.indexOf(Math.max(...counts));
      const onVictim = counts[victim];
      assert.ok(onVictim > 0 && counts.filter((n) => n > 0).length >= 2, `sockets per node: ${counts}`);
      for (const c of clients) c.closes = 0;

      const killedAt = performance.now();
      const exited = nodes[victim].exitPromise;
      nodes[victim].proc.kill('SIGKILL');
      assert.equal((await exited).signal, 'SIGKILL');
      // Its clients see their sockets end (nginx closes the client side)...
      await eventually(() => clients.filter((c) => c.closes > 0).length >= onVictim, 'the killed node\'s clients to notice');
      // ...and are back and joined on the other nodes, through the same nginx address.
      await eventually(() => clients.every((c) => c.joined()), 'every client joined again', 15000);
      console.log(`# SIGKILL of a node with ${onVictim} of ${clients.length} sockets: all joined again after ${(performance.now() - killedAt).toFixed(0)} ms`);
      const survivors = nodes.filter((_, i) => i !== victim);
      const now = await socketsPerNode(survivors);
      assert.equal(now.reduce((a, b) => a + b, 0), clients.length, `sockets on the other nodes: ${now}`);
      // Exactly the victim's clients saw a close; nobody else's socket did.
      const closed = clients.filter((c) => c.closes > 0);
      assert.equal(closed.length, onVictim, `closed: ${closed.length}, on the killed node: ${onVictim}`);
      // Both clients were among them (they were opened alternately, and nginx deals them out).
      assert.deepEqual([...new Set(closed.map((c) => c.kind))].sort(), ['js', 'phoenix']);
      // And they all get what is published on the topic, through any node.
      const res = await broadcast(survivors[0], 'room:lb', 'news', { after: 'kill' });
      assert.equal(res.status, 202, res.text);
      await eventually(() => clients.every((c) => c.messages.some((m) => m.event === 'news' && m.payload.after === 'kill')),
        'the broadcast on every client');
      // The JS clients that were on the killed node came back with a ticket of their own.
      for (const c of closed.filter((x) => x.kind === 'js')) {
        const tickets = c.urls.map((u) => new URL(u).searchParams.get('ticket'));
        assert.ok(tickets.length >= 2 && new Set(tickets).size === tickets.length && tickets.every(Boolean), tickets.join(','));
        assert.ok(c.states.filter((s) => s.state === 'connected').length >= 2, JSON.stringify(c.states));
      }
    } finally {
      await Promise.all(clients.map((c) => c.stop()));
    }
  });

  it('PostgreSQL stopped under the cluster: sign-in answers 503 through nginx; started again, it works without restarting a node', async () => {
    const live = nodes.filter((n) => !n.exited);
    await register(lb, 'lb-pg@example.com', APP);
    const conn = await acceptedRaw(socketUrl(lb, {
      ticket: (await postTicket(lb, { bearer: jwtFor('lb-pg'), origin: APP, localAddress: '127.0.0.5' })).json.ticket,
    }), { origin: APP, localAddress: '127.0.0.5' });
    try {
      await pg.stop();
      for (let i = 0; i < live.length; i++) {
        const res = await request('POST', `${lb.http}/api/accounts/login`,
          { headers: { Origin: APP }, body: { email: 'lb-pg@example.com', password: PASSWORD } });
        assert.equal(res.status, 503, res.text);
      }
      for (const n of live) {
        await eventually(async () => (await request('GET', `${n.http}/readyz`)).status === 503, `node ${n.port} /readyz 503`);
      }
      // The open socket stays.
      assert.equal((await conn.heartbeat()).status, 'ok');
      await pg.start();
      await eventually(async () => (await request('POST', `${lb.http}/api/accounts/login`,
        { headers: { Origin: APP }, body: { email: 'lb-pg@example.com', password: PASSWORD } })).status === 200,
      'sign-in through nginx once PostgreSQL is back', 15000);
      // On every node (each asked directly; a node that failed to connect a moment ago
      // waits store's reconnect pause, 250 ms, before it tries again).
      for (const n of live) {
        await eventually(async () => (await request('POST', `${n.http}/api/accounts/login`,
          { headers: { Origin: APP }, body: { email: 'lb-pg@example.com', password: PASSWORD } })).status === 200,
        `sign-in on node ${n.port}`, 5000);
      }
      assert.equal((await conn.heartbeat()).status, 'ok');
    } finally {
      await conn.close();
    }
  });

  it('SIGTERM on a node drains its sockets with 1001, then it exits', async () => {
    const live = nodes.filter((n) => !n.exited);
    const conns = [];
    try {
      for (let i = 0; i < 4; i++) {
        const ticket = (await postTicket(lb, { bearer: jwtFor(`lb-term-${i}`), origin: APP, localAddress: '127.0.0.6' })).json.ticket;
        conns.push(await acceptedRaw(socketUrl(lb, { ticket }), { origin: APP, localAddress: '127.0.0.6' }));
      }
      const counts = await socketsPerNode(live);
      const target = counts.indexOf(Math.max(...counts));
      const mine = counts[target];
      assert.ok(mine > 0, `sockets per node: ${counts}`);
      const closes = conns.map(() => null);
      conns.forEach((c, i) => c.closed.then((close) => { closes[i] = close; }));
      const exited = live[target].exitPromise;
      live[target].proc.kill('SIGTERM');
      assert.deepEqual(await withTimeout(exited, 10000, 'exit after SIGTERM'), { code: 0, signal: null });
      await sleep(100);
      // Its sockets saw the node's close through nginx, 1001 going_away; the others' stay.
      const drained = closes.filter((c) => c !== null);
      assert.equal(drained.length, mine, JSON.stringify(closes));
      for (const c of drained) assert.deepEqual(c, { code: 1001, reason: 'going_away' });
      for (const [i, c] of conns.entries()) {
        if (closes[i] === null) assert.equal((await c.heartbeat()).status, 'ok');
      }
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });
});
