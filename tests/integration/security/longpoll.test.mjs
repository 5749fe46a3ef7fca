// Long-poll authentication (issue 14 §2): the first GET of a long-poll session is
// authenticated like a WebSocket handshake (same credentials, Origin policy, limits), a
// refusal is told the way the stock LongPoll client understands it (status 403 or 500 in
// the JSON body, the reason beside it) so that its onError fires and its reconnect backoff
// applies, and a live session ends on logout, on POST /api/users/{id}/disconnect and at
// its credential's expiry, as a WebSocket does. Every server here logs at debug level and
// fails the test if any secret of the suite (tickets, JWTs, session tokens) reached it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startServer, HS_SECRET, API_KEY } from './lib/server.mjs';
import { signJwt, nowS, mintTicket, request, sleep, WAIT_MS } from './lib/clients.mjs';
import { register, logout, sessionTicketHeaders } from './lib/accounts.mjs';
import { remember } from './lib/secrets.mjs';
import { longPollClient, opens, lpRequest } from '../lib/longpoll.mjs';
import { eventually, join } from '../lib/clients.mjs';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';
const jwt = (sub, ttl = 600) => signJwt({ sub, iat: nowS(), exp: nowS() + ttl }, { key: HS_SECRET });

// A stock client on long-poll whose session tokens are remembered as secrets.
function client(server, opts = {}) {
  const c = longPollClient(server.socketBase, { timeout: WAIT_MS, ...opts });
  c.onAnswer.push((entry) => remember(entry.body?.token));
  return c;
}

async function opened(c) {
  c.socket.connect();
  await eventually(() => c.socket.isConnected(), { what: 'long-poll session open' });
}

describe('long-poll refusals the stock client obeys', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': APP, '--longpoll-poll-timeout-ms': 1000 },
    });
  });
  after(() => server?.stop());

  const cases = [
    { name: 'no credential', reason: 'missing_credentials', http: 401, opts: () => ({ headers: { Origin: APP } }) },
    { name: 'a bad ticket', reason: 'token_invalid', http: 401,
      opts: () => ({ headers: { Origin: APP }, params: { ticket: remember('not-a-ticket-0123456789abcdefghijklmnopqrstu') } }) },
    { name: 'an expired JWT as authToken', reason: 'token_expired', http: 401,
      opts: () => ({ headers: { Origin: APP }, authToken: signJwt({ sub: '5', iat: nowS() - 100, exp: nowS() - 60 }, { key: HS_SECRET }) }) },
    { name: 'a foreign Origin (with a valid JWT)', reason: 'forbidden_origin', http: 403,
      opts: () => ({ headers: { Origin: EVIL }, authToken: jwt('5') }) },
  ];
  for (const { name, reason, http, opts } of cases) {
    it(`${name}: onError(403) with ${reason} in the body, and the stock backoff (at most 10 tries in 3 s)`, async () => {
      const c = client(server, opts());
      let opens_ = 0;
      c.socket.onOpen(() => opens_++);
      try {
        c.socket.connect();
        await sleep(3000);
        const tries = opens(c);
        assert.ok(tries.length >= 3 && tries.length <= 10, `${tries.length} session requests in 3 s`);
        for (const r of tries) {
          assert.equal(r.httpStatus, http);
          assert.equal(r.body.status, 403);
          assert.equal(r.body.error, reason);
        }
        assert.ok(c.errors.length >= tries.length - 1 && c.errors.every((e) => e.error === 403), JSON.stringify(c.errors));
        assert.equal(opens_, 0, 'never open');
        // The waits between tries grow (the backoff was not reset by anything).
        const gaps = tries.slice(1).map((r, i) => r.at - tries[i].at);
        assert.ok(Math.max(...gaps) >= 800, `gaps ${gaps}`);
      } finally {
        c.forget();
      }
    });
  }

  it('limits apply: over sockets_per_user a session is refused rate_limited (500 in the body, 429 and Retry-After)', async () => {
    const limited = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': APP, '--limits-sockets-per-user': 1 },
    });
    const token = jwt('77');
    const first = client(limited, { headers: { Origin: APP }, authToken: token });
    const second = client(limited, { headers: { Origin: APP }, authToken: token, reconnectAfterMs: () => 60_000 });
    try {
      await opened(first);
      second.socket.connect();
      await eventually(() => second.errors.length > 0, { what: 'onError of the second' });
      const [refused] = opens(second);
      assert.equal(refused.httpStatus, 429);
      assert.deepEqual([refused.body.status, refused.body.error, refused.body.retry_after_ms], [500, 'rate_limited', 10000]);
      assert.deepEqual(second.errors.map((e) => e.error), [500]);
    } finally {
      first.forget();
      second.forget();
      await limited.stop();
    }
  });
});

describe('long-poll credentials and their end', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': APP, '--longpoll-poll-timeout-ms': 1000 },
    });
  });
  after(() => server?.stop());

  it('a ticket or a JWT (authToken, sent as X-Phoenix-AuthToken) opens a session acting for its user', async () => {
    const ticket = await mintTicket(server, { bearer: jwt('11') });
    const byTicket = client(server, { params: { ticket } });
    const byToken = client(server, { headers: { Origin: APP }, authToken: jwt('12') });
    try {
      await opened(byTicket);
      await opened(byToken);
      assert.equal((await join(byTicket.socket.channel('user_count:11'))).status, 'ok');
      assert.equal((await join(byToken.socket.channel('user_count:12'))).status, 'ok');
      const other = await join(byToken.socket.channel('user_count:11'));
      assert.deepEqual(other, { status: 'error', response: { reason: 'unauthorized' } });
      // The ticket went in the first GET only; later requests carry the session token.
      assert.ok(byTicket.requests.slice(1).every((r) => r.token?.startsWith('lp1.')));
    } finally {
      byTicket.forget();
      byToken.forget();
    }
  });

  it('with auth.query_token, a JWT in the client\'s own `token` param opens a session (the session token comes after it)', async () => {
    const queryServer = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-query-token': 'true', '--longpoll-poll-timeout-ms': 1000 },
    });
    const c = client(queryServer, { params: { token: jwt('13') } });
    try {
      await opened(c);
      assert.equal((await join(c.socket.channel('user_count:13'))).status, 'ok');
      assert.ok(c.requests.slice(1).every((r) => r.token?.startsWith('lp1.')));
    } finally {
      c.forget();
      await queryServer.stop();
    }
  });

  it('logout ends a session opened with the session\'s ticket: connect_error session_revoked, then onError(403)', async () => {
    const session = await register(server, 'lp-logout@example.com', APP);
    const ticket = await mintTicket(server, { origin: APP, headers: sessionTicketHeaders(session) });
    const c = client(server, { headers: { Origin: APP }, params: { ticket } });
    try {
      await opened(c);
      assert.equal((await join(c.socket.channel(`user_count:${session.id}`))).status, 'ok');
      await logout(server, session, APP);
      await eventually(() => c.errors.some((e) => e.error === 403), { what: 'onError(403)' });
      assert.ok(c.messages.some((m) => m.event === 'connect_error' && m.payload.reason === 'session_revoked'));
      const told = c.requests.find((r) => r.token && r.body?.error === 'session_revoked');
      assert.deepEqual([told.httpStatus, told.body.status], [403, 403]);
      // Reconnecting with the same (used) ticket opens nothing.
      await sleep(500);
      assert.equal(c.socket.isConnected(), false);
    } finally {
      c.forget();
    }
  });

  it('POST /api/users/{id}/disconnect ends the user\'s long-poll sessions', async () => {
    const c = client(server, { headers: { Origin: APP }, authToken: jwt('21'), reconnectAfterMs: () => 60_000 });
    try {
      await opened(c);
      assert.equal((await join(c.socket.channel('user_count:21'))).status, 'ok');
      const res = await request('POST', `${server.http}/api/users/21/disconnect`,
        { headers: { Authorization: `Bearer ${API_KEY}` }, body: {} });
      assert.equal(res.status, 202, res.text);
      await eventually(() => c.errors.some((e) => e.error === 403), { what: 'onError(403)' });
      assert.ok(c.requests.some((r) => r.body?.error === 'session_revoked'));
    } finally {
      c.forget();
    }
  });

  it('the end waits for its poll: a poll that comes after the held poll\'s window is still told session_revoked', async () => {
    // Raw requests, to come back late on purpose. The held poll is answered with
    // connect_error; the window it was held for (1 s here) ends before the next poll comes,
    // and that must not drop the session's end: the next poll is told it (403), not 410
    // "no such session", which the stock client would answer by opening a new session.
    const headers = { Origin: APP };
    const open = await lpRequest(server.http, { headers: { ...headers, 'X-Phoenix-AuthToken': jwt('23') } });
    assert.equal(open.json?.status, 410, open.text);
    const held = lpRequest(server.http, { headers, params: { token: open.json.token } });
    await sleep(200);  // the poll is held: nothing is buffered for it
    const res = await request('POST', `${server.http}/api/users/23/disconnect`,
      { headers: { Authorization: `Bearer ${API_KEY}` }, body: {} });
    assert.equal(res.status, 202, res.text);
    const last = await held;
    assert.equal(last.json?.status, 200, last.text);
    const [[, , topic, event, payload]] = last.json.messages.map((m) => JSON.parse(m));
    assert.deepEqual([topic, event, payload.reason], ['phoenix', 'connect_error', 'session_revoked']);
    await sleep(1200);  // past the held poll's window
    const end = await lpRequest(server.http, { headers, params: { token: last.json.token } });
    assert.deepEqual([end.httpStatus, end.json?.status, end.json?.error], [403, 403, 'session_revoked'], end.text);
  });

  it('refresh_token over long-poll extends the session past the first JWT\'s exp', async () => {
    const c = client(server, { headers: { Origin: APP }, authToken: jwt('32', 2), reconnectAfterMs: () => 60_000 });
    try {
      await opened(c);
      const ref = c.socket.makeRef();
      c.socket.push({ topic: 'phoenix', event: 'refresh_token', payload: { token: jwt('32', 600) }, ref });
      await eventually(() => c.messages.find((m) => m.ref === ref), { what: 'refresh reply' });
      assert.equal(c.messages.find((m) => m.ref === ref).payload.status, 'ok');
      await sleep(3500);
      assert.ok(c.socket.isConnected());
      assert.deepEqual(c.errors, []);
      assert.equal((await join(c.socket.channel('user_count:32'))).status, 'ok');
    } finally {
      c.forget();
    }
  });

  it('a session on a JWT ends at its exp: token_expired', async () => {
    const c = client(server, { headers: { Origin: APP }, authToken: jwt('31', 2), reconnectAfterMs: () => 60_000 });
    try {
      await opened(c);
      // Up to 3 s of this bound go by before the end (exp is 1-2 s away, the sweep runs once
      // a second), so it is twice the usual one: a bound, never a pace.
      await eventually(() => c.errors.some((e) => e.error === 403), { what: 'onError(403)', timeoutMs: 2 * WAIT_MS });
      assert.ok(c.messages.some((m) => m.event === 'connect_error' && m.payload.reason === 'token_expired'));
      assert.ok(c.requests.some((r) => r.body?.error === 'token_expired'));
    } finally {
      c.forget();
    }
  });
});
