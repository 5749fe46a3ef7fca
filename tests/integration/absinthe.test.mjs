// GraphQL subscriptions over Phoenix Channels with Absinthe's protocol, against the real
// binary with the unmodified clients: @absinthe/socket on the official phoenix client
// (V2 arrays and V1 objects). Accounts and tickets come from GraphQL over HTTP, as a page
// would get them; results come from the user_count worker and POST /api/broadcast.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import * as AbsintheSocket from '@absinthe/socket';
import { Socket } from 'phoenix';
import WebSocket from 'ws';

import { delay, RawClient, waitOn, withTimeout, WAIT_MS } from './lib/clients.mjs';
import { postJson } from './lib/http.mjs';
import { startServer } from './lib/server.mjs';

const PASSWORD = 'absinthe horse battery staple';
const USER_COUNT = 'subscription { accountsUserCount { userId count } }';
const LOBBY = 'subscription { channel(topic: "room:lobby") { topic event payload } }';

// The V1 wire format (JSON objects) for the stock client, which speaks V2 by default.
const V1 = {
  vsn: '1.0.0',
  encode: (msg, callback) => callback(JSON.stringify(msg)),
  decode: (raw, callback) => callback(JSON.parse(raw)),
};
const V2 = { vsn: '2.0.0' };

describe('Absinthe over Phoenix Channels (@absinthe/socket + phoenix)', () => {
  let server;
  let origin;
  const clients = new Set();

  before(async () => {
    server = await startServer({
      args: ['--app-user-count-interval-ms', '200', '--limits-registrations-per-ip', '50',
        '--limits-topics-per-socket', '3'],
    });
    origin = server.httpUrl;
  });
  after(async () => {
    for (const c of clients) c.close();
    await server?.stop();
    server?.cleanup();
  });

  // POST /api/graphql from the server's own page: {status, headers, json}.
  const gql = (query, variables, { cookie, csrf } = {}) => withTimeout(new Promise((resolve, reject) => {
    const body = JSON.stringify(variables ? { query, variables } : { query });
    const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Origin: origin };
    if (cookie) headers.Cookie = cookie;
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const req = http.request(`${server.httpUrl}/api/graphql`, { method: 'POST', headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  }), WAIT_MS, 'POST /api/graphql');

  let accounts = 0;
  // A new account signed in through GraphQL: {id, email, cookie, csrf}.
  const signUp = async () => {
    const email = `absinthe-${++accounts}-${process.pid}@example.com`;
    const res = await gql(`mutation ($email: String!, $password: String!) {
      accountsRegister(email: $email, password: $password) { account { id } csrfToken } }`, { email, password: PASSWORD });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.errors, undefined, res.text);
    const cookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('_sockguard_session='));
    assert.ok(cookie, res.text);
    const { account, csrfToken } = res.json.data.accountsRegister;
    return { id: account.id, email, cookie: cookie.split(';')[0], csrf: csrfToken };
  };
  const ticketFor = async (session) => {
    const res = await gql('mutation { socketTicket { ticket expiresIn socketUrl } }', null, session);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.errors, undefined, res.text);
    // The same field, the same form as over the socket (below): the WebSocket's own URL.
    assert.equal(res.json.data.socketTicket.socketUrl, `ws://127.0.0.1:${server.port}/socket/websocket`);
    return res.json.data.socketTicket.ticket;
  };

  // A phoenix socket from the server's page with a fresh ticket of `session`, wrapped by
  // @absinthe/socket. Records every message the socket sees (replies included) and closes;
  // it does not reconnect within a test.
  const connect = async (session, format = V2) => {
    const ticket = await ticketFor(session);
    class PageWebSocket extends WebSocket {
      constructor(url, protocols) { super(url, protocols, { origin }); }
    }
    const socket = new Socket(`ws://127.0.0.1:${server.port}/socket`, {
      transport: PageWebSocket,
      params: { ticket },
      timeout: WAIT_MS,
      reconnectAfterMs: () => 10 * 60 * 1000,
      rejoinAfterMs: () => 10 * 60 * 1000,
      ...format,
    });
    const client = { socket, messages: [], closes: [], waiters: new Set() };
    client.notify = () => { for (const w of client.waiters) w(); };
    client.until = (check, what) => waitOn(client.waiters, check, { what });
    socket.onMessage((m) => { client.messages.push(m); client.notify(); });
    socket.onClose((e) => { client.closes.push({ code: e.code, reason: e.reason }); client.notify(); });
    client.absinthe = AbsintheSocket.create(socket);
    socket.connect();
    client.close = () => {
      for (const channel of socket.channels) {
        channel.rejoinTimer.reset();
        channel.joinPush.cancelTimeout();
      }
      socket.disconnect();
    };
    clients.add(client);
    return client;
  };

  // Sends `operation` through @absinthe/socket and records what its observer hears.
  const send = (client, operation, variables) => {
    const notifier = AbsintheSocket.send(client.absinthe, variables ? { operation, variables } : { operation });
    const op = { request: notifier.request, results: [], aborts: [], errors: [], started: null };
    AbsintheSocket.observe(client.absinthe, notifier, {
      onStart: (n) => { op.started = n; client.notify(); },
      onResult: (r) => { op.results.push(r); client.notify(); },
      onAbort: (e) => { op.aborts.push(e); client.notify(); },
      onError: (e) => { op.errors.push(e); client.notify(); },
    });
    op.subscriptionId = () => client.until(() => {
      if (op.aborts.length) throw new Error(`aborted: ${op.aborts[0].message}`);
      return op.started?.subscriptionId;
    }, 'the subscription to start');
    op.waitResults = (n) => client.until(() => {
      if (op.aborts.length) throw new Error(`aborted: ${op.aborts[0].message}`);
      return op.results.length >= n ? op.results : undefined;
    }, `${n} results`);
    op.cancel = () => AbsintheSocket.cancel(client.absinthe,
      client.absinthe.notifiers.find((n) => n.request === op.request));
    return op;
  };
  // The replies to pushes on the control topic (the join's left out).
  const controlReplies = (client) => client.messages.filter(
    (m) => m.topic === '__absinthe__:control' && m.event === 'phx_reply' && m.ref !== m.join_ref);
  const broadcast = async (topic, event, payload) => {
    const res = await postJson(server, '/api/broadcast', { topic, event, payload });
    assert.equal(res.status, 202, await res.text());
  };

  for (const [name, format] of [['V2', V2], ['V1', V1]]) {
    it(`${name}: the seed flow: sign in over GraphQL, a ticket, three counts, logout ends the socket (session_revoked)`,
      async () => {
        const alice = await signUp();
        const client = await connect(alice, format);
        const counts = send(client, USER_COUNT);
        const id = await counts.subscriptionId();
        assert.match(id, /^__absinthe__:doc:[0-9a-f]+$/);
        const results = await counts.waitResults(3);
        for (const result of results.slice(0, 3)) {
          assert.deepEqual(Object.keys(result), ['data']);
          assert.equal(result.data.accountsUserCount.userId, alice.id);
          assert.equal(typeof result.data.accountsUserCount.count, 'number');
        }
        // On the wire: subscription:data on the topic subscriptionId, which was never joined.
        const data = client.messages.filter((m) => m.event === 'subscription:data');
        assert.ok(data.length >= 3);
        assert.equal(data[0].topic, id);
        assert.equal(data[0].payload.subscriptionId, id);
        assert.equal(data[0].ref, null);
        assert.ok(!client.socket.channels.some((c) => c.topic === id));
        assert.equal(data[0].join_ref ?? null, null);

        const out = await gql('mutation { accountsLogout }', null, alice);
        assert.deepEqual(out.json, { data: { accountsLogout: true } });
        await client.until(() => client.closes[0], 'the socket to close');
        assert.deepEqual(client.closes[0], { code: 4403, reason: 'session_revoked' });
        const ce = client.messages.find((m) => m.topic === 'phoenix' && m.event === 'connect_error');
        assert.equal(ce?.payload.reason, 'session_revoked');
      });

    it(`${name}: a channel(topic) subscription gets POST /api/broadcast messages; unsubscribe stops them`, async () => {
      const bob = await signUp();
      const client = await connect(bob, format);
      const lobby = send(client, LOBBY);
      const events = send(client, 'subscription { channel(topic: "room:lobby") { event } }');
      const lobbyId = await lobby.subscriptionId();
      const eventsId = await events.subscriptionId();
      assert.notEqual(lobbyId, eventsId, 'different selections are different subscriptions');

      await broadcast('room:lobby', 'news', { n: 1, name });
      const [first] = await lobby.waitResults(1);
      assert.deepEqual(first, { data: { channel: { topic: 'room:lobby', event: 'news', payload: { n: 1, name } } } });
      assert.deepEqual((await events.waitResults(1))[0], { data: { channel: { event: 'news' } } });

      lobby.cancel();
      // The subscribe reply and the unsubscribe reply both answer {subscriptionId}.
      const answers = () => controlReplies(client).filter((m) => m.payload.response?.subscriptionId === lobbyId);
      await client.until(() => (answers().length === 2 ? true : undefined), 'the unsubscribe reply');
      for (const m of answers()) assert.deepEqual(m.payload, { status: 'ok', response: { subscriptionId: lobbyId } });

      await broadcast('room:lobby', 'news', { n: 2 });
      await events.waitResults(2);
      // A round trip after the second broadcast: its relayed frames, if any, came before.
      const me = send(client, '{ accountsMe { id } }');
      await me.waitResults(1);
      assert.equal(lobby.results.length, 1, JSON.stringify(lobby.results));
      assert.equal(client.messages.filter((m) => m.topic === lobbyId).length, 1);
      client.close();
    });
  }

  it('refresh_token extends the socket; POST /api/users/{id}/disconnect ends it with session_revoked', async () => {
    const fay = await signUp();
    const client = await connect(fay);
    const counts = send(client, USER_COUNT);
    await counts.waitResults(1);
    const ref = client.socket.makeRef();
    client.socket.push({ topic: 'phoenix', event: 'refresh_token', payload: { ticket: await ticketFor(fay) }, ref,
      join_ref: null });
    const refreshed = await client.until(() => client.messages.find((m) => m.topic === 'phoenix' && m.ref === ref),
      'the refresh reply');
    assert.equal(refreshed.payload.status, 'ok', JSON.stringify(refreshed.payload));
    await counts.waitResults(2);

    const res = await postJson(server, `/api/users/${fay.id}/disconnect`, {});
    assert.ok(res.ok, await res.text());
    await client.until(() => client.closes[0], 'the socket to close');
    assert.deepEqual(client.closes[0], { code: 4403, reason: 'session_revoked' });
  });

  it("another user's count is refused with an error reply carrying the GraphQL errors", async () => {
    const carol = await signUp();
    const client = await connect(carol);
    const theirs = send(client, 'subscription { accountsUserCount(userId: "other") { count } }');
    await client.until(() => theirs.aborts[0], 'the abort');
    const reply = controlReplies(client).at(-1);
    assert.equal(reply.payload.status, 'error');
    const { errors } = reply.payload.response;
    assert.equal(errors.length, 1);
    assert.equal(errors[0].extensions.code, 'unauthorized');
    assert.equal(typeof errors[0].message, 'string');
    // Her own count on the same socket still works.
    const mine = send(client, 'subscription ($id: ID) { accountsUserCount(userId: $id) { userId } }', { id: carol.id });
    assert.deepEqual((await mine.waitResults(1))[0], { data: { accountsUserCount: { userId: carol.id } } });
    client.close();
  });

  it('queries and mutations over doc are answered with their result; a bad document with its errors', async () => {
    const dave = await signUp();
    const client = await connect(dave);
    const me = send(client, '{ accountsMe { id email } }');
    assert.deepEqual((await me.waitResults(1))[0], { data: { accountsMe: { id: dave.id, email: dave.email } } });
    const ticket = send(client, 'mutation { socketTicket { expiresIn socketUrl } }');
    const [minted] = await ticket.waitResults(1);
    assert.equal(typeof minted.data.socketTicket.expiresIn, 'number');
    assert.equal(minted.data.socketTicket.socketUrl, `ws://127.0.0.1:${server.port}/socket/websocket`);

    for (const [document, message] of [['{ accountsMe { id }', /./], ['{ accountsMe { nope } }', /nope/]]) {
      const bad = send(client, document);
      await client.until(() => bad.aborts[0], `the abort of ${document}`);
      const reply = controlReplies(client).at(-1);
      assert.equal(reply.payload.status, 'error');
      assert.deepEqual(Object.keys(reply.payload.response), ['errors']);
      assert.match(reply.payload.response.errors[0].message, message);
      assert.ok(reply.payload.response.errors[0].locations, JSON.stringify(reply.payload.response));
    }
    client.close();
  });

  it('raw pushes: variables must be a map; operationName; unsubscribe answers {subscriptionId}; a socket holds topics_per_socket subscriptions',
    async () => {
      const erin = await signUp();
      const client = await connect(erin);
      const channel = client.socket.channel('__absinthe__:control');
      const joined = await new Promise((resolve) => channel.join().receive('ok', resolve).receive('error', resolve));
      assert.deepEqual(joined, {});
      const push = (event, payload) => withTimeout(new Promise((resolve) => {
        channel.push(event, payload)
          .receive('ok', (response) => resolve({ status: 'ok', response }))
          .receive('error', (response) => resolve({ status: 'error', response }));
      }), WAIT_MS, `reply to ${event}`);

      assert.deepEqual(await push('doc', { query: '{ accountsMe { id } }', variables: [1] }),
        { status: 'error', response: { error: 'Could not parse variables as map' } });
      assert.deepEqual(await push('doc', { query: 'query A { accountsMe { id } } query B { accountsMe { email } }',
        variables: null, operationName: 'B' }), { status: 'ok', response: { data: { accountsMe: { email: erin.email } } } });
      assert.deepEqual(await push('unsubscribe', { subscriptionId: '__absinthe__:doc:unknown' }),
        { status: 'ok', response: { subscriptionId: '__absinthe__:doc:unknown' } });

      // --limits-topics-per-socket 3: three subscriptions, then refused; the same document
      // again is the running subscription, not a fourth.
      const ids = [];
      for (const event of ['a', 'b', 'c']) {
        const r = await push('doc', { query: `subscription { channel(topic: "room:${event}") { event } }` });
        assert.equal(r.status, 'ok', JSON.stringify(r));
        ids.push(r.response.subscriptionId);
      }
      const again = await push('doc', { query: 'subscription { channel(topic: "room:a") { event } }' });
      assert.deepEqual(again, { status: 'ok', response: { subscriptionId: ids[0] } });
      assert.deepEqual(await push('doc', { query: 'subscription { channel(topic: "room:d") { event } }' }),
        { status: 'error', response: { reason: 'too many subscriptions' } });
      await push('unsubscribe', { subscriptionId: ids[1] });
      const fourth = await push('doc', { query: 'subscription { channel(topic: "room:d") { event } }' });
      assert.equal(fourth.status, 'ok');

      // Leaving the control topic ends its subscriptions.
      await broadcast('room:a', 'before', {});
      await client.until(() => client.messages.find((m) => m.topic === ids[0]), 'room:a before leaving');
      await new Promise((resolve) => channel.leave().receive('ok', resolve));
      await broadcast('room:a', 'after', {});
      await broadcast('room:d', 'after', {});
      await delay(300);
      assert.equal(client.messages.filter((m) => m.event === 'subscription:data').length, 1);
      client.close();
    });

  it('anonymous sockets may join the control topic; a room member cannot forge subscription:data', async () => {
    // Anonymous (allowed in this server's configuration): public channels only.
    const socket = new Socket(`ws://127.0.0.1:${server.port}/socket`, {
      transport: WebSocket, timeout: WAIT_MS, reconnectAfterMs: () => 600000, rejoinAfterMs: () => 600000,
    });
    const absinthe = AbsintheSocket.create(socket);
    const client = { socket, absinthe, messages: [], closes: [], waiters: new Set() };
    client.notify = () => { for (const w of client.waiters) w(); };
    client.until = (check, what) => waitOn(client.waiters, check, { what });
    socket.onMessage((m) => { client.messages.push(m); client.notify(); });
    client.close = () => socket.disconnect();
    clients.add(client);
    socket.connect();
    const lobby = send(client, LOBBY);
    const id = await lobby.subscriptionId();
    const mine = send(client, USER_COUNT);
    await client.until(() => mine.aborts[0], 'the refusal of an anonymous count');

    const room = socket.channel('room:lobby');
    await new Promise((resolve) => room.join().receive('ok', resolve));
    const forged = await new Promise((resolve) => {
      room.push('subscription:data', { subscriptionId: id, result: { data: { channel: { event: 'forged' } } } })
        .receive('ok', () => resolve('ok')).receive('error', (r) => resolve(r));
    });
    assert.deepEqual(forged, { reason: 'unknown event' });
    await broadcast('room:lobby', 'real', {});
    await lobby.waitResults(1);
    assert.deepEqual(lobby.results.map((r) => r.data.channel.event), ['real']);
    client.close();
  });
});

describe('Absinthe fan-out: 1 000 sockets, five selections of one topic', () => {
  const SOCKETS = 1000;
  const SELECTIONS = [
    ['{ event }', (b) => ({ event: b.event })],
    ['{ topic }', (b) => ({ topic: b.topic })],
    ['{ payload }', (b) => ({ payload: b.payload })],
    ['{ event payload }', (b) => ({ event: b.event, payload: b.payload })],
    ['{ kind: event, where: topic }', (b) => ({ kind: b.event, where: b.topic })],
  ];
  let server;
  const sockets = [];

  before(async () => {
    server = await startServer({ args: ['--limits-sockets-per-ip', String(SOCKETS + 100)] });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.stop();
    server?.cleanup();
  });

  it('every socket gets its own selection, from one shared subscription per selection', async () => {
    // Anonymous sockets (this server allows them; room:* is public), V2 raw frames.
    for (let i = 0; i < SOCKETS; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, SOCKETS - i) }, async (_, k) => {
        const client = await RawClient.open(server.wsUrl());
        const join = await client.request('1', '1', '__absinthe__:control', 'phx_join', {});
        assert.equal(join[4].status, 'ok');
        const [query] = SELECTIONS[(i + k) % SELECTIONS.length];
        const reply = await client.request('1', '2', '__absinthe__:control', 'doc',
          { query: `subscription { channel(topic: "room:fan") ${query} }` });
        assert.equal(reply[4].status, 'ok', JSON.stringify(reply));
        client.subscriptionId = reply[4].response.subscriptionId;
        return client;
      }));
      sockets.push(...batch);
    }
    // One subscription id per selection, the same for every socket that chose it.
    const ids = SELECTIONS.map((_, s) => new Set(sockets.filter((_, i) => i % SELECTIONS.length === s)
      .map((c) => c.subscriptionId)));
    for (const set of ids) assert.equal(set.size, 1);
    assert.equal(new Set(ids.map((set) => [...set][0])).size, SELECTIONS.length);

    const sent = { topic: 'room:fan', event: 'fan', payload: { n: 7, list: [1, 2] } };
    const started = Date.now();
    const res = await postJson(server, '/api/broadcast', sent);
    assert.equal(res.status, 202);
    const got = await Promise.all(sockets.map((c) => c.waitForEvent(c.subscriptionId, 'subscription:data',
      { ms: 20000 })));
    console.log(`${SOCKETS} Absinthe subscribers, 5 selections: all delivered in ${Date.now() - started} ms`);
    got.forEach((message, i) => {
      const [, shape] = SELECTIONS[i % SELECTIONS.length];
      assert.deepEqual(message, [null, null, sockets[i].subscriptionId, 'subscription:data',
        { subscriptionId: sockets[i].subscriptionId, result: { data: { channel: shape(sent) } } }]);
    });
  });
});
