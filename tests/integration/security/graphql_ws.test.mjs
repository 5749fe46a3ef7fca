// GraphQL subscriptions over graphql-transport-ws at /api/graphql, against the real binary,
// with the unmodified `graphql-ws` client (and raw frames where the client cannot be made
// to misbehave): the seed flow (sign in over GraphQL HTTP, a ticket, a live count, logout
// ends the socket with session_revoked and the client does not retry), per-topic
// authorization, the cookie + CSRF + Origin rules of connection_init, the protocol's close
// codes (4400, 4401, 4408, 4409, 4429) and which of them graphql-ws retries, completion,
// and 1 000 subscribers with different selections all getting their own shapes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

import { startServer, API_KEY } from './lib/server.mjs';
import { remember } from './lib/secrets.mjs';
import { request, sleep } from './lib/clients.mjs';
import { withTimeout } from './lib/with_timeout.mjs';

const PASSWORD = remember('graphql-ws horse battery staple');
const PROTOCOL = 'graphql-transport-ws';

const REGISTER = `mutation($email: String!, $password: String!) {
  accountsRegister(email: $email, password: $password) { account { id } csrfToken }
}`;

function cookieOf(res) {
  return [res.headers['set-cookie']].flat().find((c) => c?.startsWith('_sockguard_session='))?.split(';')[0];
}

// A WebSocket class for graphql-ws that sends this Origin (and headers) on the handshake,
// and counts the handshakes it makes.
function socketClass({ origin, headers } = {}) {
  const opened = { count: 0 };
  class Sock extends WebSocket {
    constructor(url, protocols) {
      opened.count += 1;
      super(url, protocols, { origin, headers });
    }
  }
  return { Sock, opened };
}

// A raw graphql-transport-ws connection: JSON messages in order, the close frame.
class Raw {
  constructor(url, { origin, headers, protocol = PROTOCOL } = {}) {
    this.messages = [];
    this.waiters = [];
    this.ws = new WebSocket(url, protocol, { origin, headers });
    this.open = new Promise((resolve, reject) => {
      this.ws.on('open', resolve);
      this.ws.on('error', reject);
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
    this.ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      for (const w of this.waiters.splice(0)) w();
    });
  }
  send(message) { this.ws.send(typeof message === 'string' ? message : JSON.stringify(message)); }
  async next(predicate, what = 'message') {
    return withTimeout((async () => {
      for (;;) {
        const found = this.messages.find(predicate);
        if (found) return found;
        await new Promise((resolve) => this.waiters.push(resolve));
      }
    })(), 5000, what);
  }
  async closeCode() { return withTimeout(this.closed, 8000, 'close'); }
  close() { this.ws.close(); }
}

describe('graphql-transport-ws', () => {
  let server;
  let origin;
  let url;
  const gqlHttp = (query, variables, headers = {}) =>
    request('POST', `${server.http}/api/graphql`, { headers: { Origin: origin, ...headers }, body: { query, variables } });
  const registerUser = async (email) => {
    const res = await gqlHttp(REGISTER, { email, password: PASSWORD });
    assert.equal(res.json.errors, undefined, res.text);
    return {
      id: res.json.data.accountsRegister.account.id,
      csrf: remember(res.json.data.accountsRegister.csrfToken),
      cookie: remember(cookieOf(res)),
    };
  };
  const ticketFor = async (user) => {
    const res = await gqlHttp('mutation { socketTicket { ticket socketUrl } }', null,
      { Cookie: user.cookie, 'X-CSRF-Token': user.csrf });
    assert.equal(res.json.errors, undefined, res.text);
    return remember(res.json.data.socketTicket.ticket);
  };
  const broadcast = (topic, event, payload) => request('POST', `${server.http}/api/broadcast`,
    { headers: { Authorization: `Bearer ${API_KEY}` }, body: { topic, event, payload } });

  before(async () => {
    server = await startServer({
      flags: {
        '--app-user-count-interval-ms': '150',
        '--limits-registrations-per-ip': '50',
        '--auth-allow-anonymous': 'true',
        '--channels-public-topics': 'room:*',
        '--limits-sockets-per-ip': '5000',
        '--limits-messages-per-s': '1000',
        '--limits-message-burst': '2000',
      },
    });
    origin = server.http;
    url = `${server.ws}/api/graphql`;
  });
  after(async () => { await server?.stop(); });

  it('seed flow: GraphQL sign-in, a ticket, the live count, logout ends the socket and graphql-ws does not retry', async () => {
    const user = await registerUser('seed@example.com');
    const ticket = await ticketFor(user);
    const { Sock, opened } = socketClass({ origin });
    const closes = [];
    const client = createClient({
      url, webSocketImpl: Sock, connectionParams: { ticket }, retryAttempts: 5, retryWait: () => sleep(50),
      on: { closed: (event) => closes.push({ code: event.code, reason: event.reason }) },
    });
    const counts = [];
    const ended = new Promise((resolve) => {
      client.subscribe({ query: 'subscription { accountsUserCount { userId count } }' }, {
        next: (result) => {
          counts.push(result.data.accountsUserCount);
          if (counts.length === 3) logout();
        },
        error: (error) => resolve({ error }),
        complete: () => resolve({ complete: true }),
      });
    });
    let loggedOut;
    const logout = () => {
      loggedOut = gqlHttp('mutation { accountsLogout }', null, { Cookie: user.cookie, 'X-CSRF-Token': user.csrf });
    };
    const outcome = await withTimeout(ended, 10000, 'subscription end');
    assert.equal((await loggedOut).json.data.accountsLogout, true);
    assert.ok(counts.length >= 3);
    for (const c of counts) {
      assert.equal(c.userId, user.id);
      assert.equal(typeof c.count, 'number');
    }
    assert.equal(outcome.error?.code, 4401, JSON.stringify(outcome));
    assert.equal(outcome.error?.reason, 'session_revoked');
    await sleep(500);
    assert.equal(opened.count, 1, 'graphql-ws must not reconnect after session_revoked');
    assert.deepEqual(closes, [{ code: 4401, reason: 'session_revoked' }]);
    await client.dispose();
  });

  it("another user's count is refused with an error message; the socket stays for the rest", async () => {
    const user = await registerUser('nosy@example.com');
    const raw = new Raw(`${url}?ticket=${await ticketFor(user)}`, { origin });
    await raw.open;
    raw.send({ type: 'connection_init' });
    await raw.next((m) => m.type === 'connection_ack', 'ack');
    raw.send({ id: 'a', type: 'subscribe', payload: { query: 'subscription { accountsUserCount(userId: "1") { count } }' } });
    const error = await raw.next((m) => m.type === 'error' && m.id === 'a', 'error');
    assert.equal(error.payload[0].extensions.code, 'unauthorized');
    raw.send({ id: 'b', type: 'subscribe', payload: { query: '{ accountsMe { id } }' } });
    const me = await raw.next((m) => m.type === 'next' && m.id === 'b', 'query result');
    assert.deepEqual(me.payload, { data: { accountsMe: { id: user.id } } });
    await raw.next((m) => m.type === 'complete' && m.id === 'b', 'complete');
    raw.close();
  });

  it('cookie sessions: connection_init needs the CSRF token and an allowed Origin', async () => {
    const user = await registerUser('cookie@example.com');
    const headers = { Cookie: user.cookie };
    const ok = new Raw(url, { origin, headers });
    await ok.open;
    ok.send({ type: 'connection_init', payload: { csrfToken: user.csrf } });
    const ack = await ok.next((m) => m.type === 'connection_ack', 'ack');
    assert.equal(ack.payload.userId, user.id);
    ok.close();

    // Anonymous sockets are allowed on this server: the cookie without the token is no credential.
    const noToken = new Raw(url, { origin, headers });
    await noToken.open;
    noToken.send({ type: 'connection_init' });
    const anon = await noToken.next((m) => m.type === 'connection_ack', 'ack');
    assert.equal(anon.payload, undefined, 'no CSRF token: anonymous, not the cookie\'s user');
    noToken.send({ id: 'x', type: 'subscribe', payload: { query: 'subscription { accountsUserCount { count } }' } });
    assert.equal((await noToken.next((m) => m.id === 'x')).type, 'error');
    noToken.close();

    const wrong = new Raw(url, { origin, headers });
    await wrong.open;
    wrong.send({ type: 'connection_init', payload: { csrfToken: remember('w'.repeat(43)) } });
    assert.deepEqual(await wrong.closeCode(), { code: 4401, reason: 'token_invalid' });

    const noOrigin = new Raw(url, { headers });
    await noOrigin.open;
    noOrigin.send({ type: 'connection_init', payload: { csrfToken: user.csrf } });
    assert.deepEqual(await noOrigin.closeCode(), { code: 1008, reason: 'forbidden_origin' });
  });

  it('a foreign Origin is refused with a code graphql-ws treats as fatal: one handshake, no retry', async () => {
    const user = await registerUser('foreign@example.com');
    const { Sock, opened } = socketClass({ origin: 'https://evil.example', headers: { Cookie: user.cookie } });
    const client = createClient({
      url, webSocketImpl: Sock, connectionParams: { csrfToken: user.csrf }, retryAttempts: 5, retryWait: () => sleep(20),
    });
    const outcome = await withTimeout(new Promise((resolve) => {
      client.subscribe({ query: '{ accountsMe { id } }' }, { next: () => {}, error: resolve, complete: () => resolve('complete') });
    }), 5000, 'refusal');
    assert.equal(outcome.code, 1008);
    assert.equal(outcome.reason, 'forbidden_origin');
    await sleep(300);
    assert.equal(opened.count, 1);
    await client.dispose();
  });

  it('a busy refusal is retried and says when: 1013 with retry_after_ms', async () => {
    const user = await registerUser('capped@example.com');
    const s = await startServer({ flags: { '--limits-sockets-per-user': '1' } });
    try {
      // The same user, by two JWT-free tickets of this second server: sign up there too.
      const reg = await request('POST', `${s.http}/api/graphql`, { headers: { Origin: s.http }, body: { query: REGISTER, variables: { email: 'capped@example.com', password: PASSWORD } } });
      const u = { csrf: remember(reg.json.data.accountsRegister.csrfToken), cookie: remember(cookieOf(reg)) };
      const mint = async () => remember((await request('POST', `${s.http}/api/graphql`,
        { headers: { Origin: s.http, Cookie: u.cookie, 'X-CSRF-Token': u.csrf }, body: { query: 'mutation { socketTicket { ticket } }' } })).json.data.socketTicket.ticket);
      const first = new Raw(`${s.ws}/api/graphql?ticket=${await mint()}`, { origin: s.http });
      await first.open;
      first.send({ type: 'connection_init' });
      await first.next((m) => m.type === 'connection_ack');
      const second = new Raw(`${s.ws}/api/graphql?ticket=${await mint()}`, { origin: s.http });
      const close = await second.closeCode();
      assert.equal(close.code, 1013);
      assert.match(close.reason, /^rate_limited retry_after_ms=\d+$/);
      first.close();
    } finally {
      await s.stop();
    }
    assert.ok(user.id);
  });

  it('protocol violations close with the protocol codes', async () => {
    const anon = async () => {
      const r = new Raw(url, { origin });
      await r.open;
      return r;
    };
    const timeout = await anon();
    assert.deepEqual(await timeout.closeCode(), { code: 4408, reason: 'Connection initialisation timeout' });

    const early = await anon();
    early.send({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } });
    assert.deepEqual(await early.closeCode(), { code: 4401, reason: 'Unauthorized' });

    const twice = await anon();
    twice.send({ type: 'connection_init' });
    twice.send({ type: 'connection_init' });
    assert.deepEqual(await twice.closeCode(), { code: 4429, reason: 'Too many initialisation requests' });

    const dup = await anon();
    dup.send({ type: 'connection_init' });
    await dup.next((m) => m.type === 'connection_ack');
    const sub = { type: 'subscribe', payload: { query: 'subscription { channel(topic: "room:dup") { event } }' } };
    dup.send({ id: 'same', ...sub });
    dup.send({ id: 'same', ...sub });
    assert.deepEqual(await dup.closeCode(), { code: 4409, reason: 'Subscriber for same already exists' });

    for (const bad of ['not json', '{"type":"nope"}', '{"type":"subscribe","id":"1"}', '[1,2]', '{"id":"1","type":"complete","x":1e400}']) {
      const r = await anon();
      r.send({ type: 'connection_init' });
      await r.next((m) => m.type === 'connection_ack');
      r.send(bad);
      const close = await r.closeCode();
      assert.equal(close.code, 4400, bad);
      assert.ok(close.reason.length > 0);
    }
    // The server kept serving: a ping is answered.
    const alive = await anon();
    alive.send({ type: 'ping' });
    assert.equal((await alive.next((m) => m.type === 'pong')).type, 'pong');
    alive.close();

    const other = new Raw(url, { origin, protocol: 'graphql-ws' });
    await assert.rejects(other.open, /400/);
  });

  it('complete stops delivery; a validation error is an error message, not a close', async () => {
    const r = new Raw(url, { origin });
    await r.open;
    r.send({ type: 'connection_init' });
    await r.next((m) => m.type === 'connection_ack');
    r.send({ id: 'bad', type: 'subscribe', payload: { query: 'subscription { nope }' } });
    const error = await r.next((m) => m.id === 'bad');
    assert.equal(error.type, 'error');
    assert.ok(error.payload[0].message.length > 0);
    r.send({ id: 's', type: 'subscribe', payload: { query: 'subscription { channel(topic: "room:done") { event payload } }' } });
    await sleep(100);
    assert.equal((await broadcast('room:done', 'one', { n: 1 })).status, 202);
    const first = await r.next((m) => m.type === 'next' && m.id === 's');
    assert.deepEqual(first.payload, { data: { channel: { event: 'one', payload: { n: 1 } } } });
    r.send({ id: 's', type: 'complete' });
    await sleep(100);
    await broadcast('room:done', 'two', { n: 2 });
    await sleep(300);
    assert.equal(r.messages.filter((m) => m.type === 'next' && m.id === 's').length, 1);
    r.close();
  });

  it('1 000 subscribers with different selections each get their own shape, executed once per selection', async () => {
    const SELECTIONS = [
      '{ topic }', '{ event }', '{ payload }', '{ topic event payload }', '{ e: event t: topic }',
    ];
    const expected = (i, message) => {
      const c = { topic: 'room:many', event: 'tick', payload: message };
      return [{ topic: c.topic }, { event: c.event }, { payload: c.payload }, c, { e: c.event, t: c.topic }][i];
    };
    const sockets = [];
    for (let i = 0; i < 1000; i += 1) {
      const r = new Raw(url, { origin });
      sockets.push(r);
    }
    await Promise.all(sockets.map((r) => r.open));
    sockets.forEach((r, i) => {
      r.send({ type: 'connection_init' });
      r.send({ id: `s${i}`, type: 'subscribe', payload: { query: `subscription { channel(topic: "room:many") ${SELECTIONS[i % SELECTIONS.length]} }` } });
    });
    await Promise.all(sockets.map((r) => r.next((m) => m.type === 'connection_ack')));
    await sleep(500);
    const metric = async () => {
      const text = await (await fetch(`${server.http}/metrics`)).text();
      return Number(/^sockguard_graphql_event_executions_total (\d+)/m.exec(text)?.[1]);
    };
    const before = await metric();
    const message = { seq: 1, text: 'hello' };
    assert.equal((await broadcast('room:many', 'tick', message)).status, 202);
    await Promise.all(sockets.map((r, i) => r.next((m) => m.type === 'next' && m.id === `s${i}`, `next ${i}`)));
    sockets.forEach((r, i) => {
      const got = r.messages.find((m) => m.type === 'next');
      assert.deepEqual(got.payload, { data: { channel: expected(i % SELECTIONS.length, message) } }, `socket ${i}`);
    });
    const executions = (await metric()) - before;
    // Once per distinct selection and shard (the test server runs two shards).
    assert.ok(executions >= SELECTIONS.length && executions <= SELECTIONS.length * 2, `executions: ${executions}`);
    sockets.forEach((r) => r.close());
  });
});
