// First-message auth (DESIGN §3, item 5): a bare socket must push `auth` on topic
// `phoenix` within auth_timeout (1 s here); anything else first is missing_credentials,
// silence is auth_timeout, and frames before auth are capped at 4 KiB.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, socketUrl, openRaw, expectRefused, mintTicket, WAIT_MS,
} from './lib/clients.mjs';

const jwtFor = (sub, extra = {}) => signJwt({ sub, iat: nowS(), exp: nowS() + 600, ...extra }, { key: HS_SECRET });

async function bare(server, params = {}, vsn = '2.0.0') {
  const conn = openRaw(socketUrl(server, params, vsn));
  assert.ok(await conn.opened, 'bare socket should be accepted pending auth');
  return conn;
}

describe('first-message auth', () => {
  let server;
  // One shard: one deadline check a second looks at every socket, so a socket refused for
  // auth_timeout shows that the check has passed the deadlines of the sockets opened before it.
  before(async () => { server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--threads': '1' } }); });
  after(() => server?.stop());

  it('auth with a valid JWT answers ok with the user id, then joins work', async () => {
    const conn = await bare(server);
    const control = await bare(server);  // never authenticates: its auth deadline is after conn's
    try {
      const reply = await conn.push('phoenix', 'auth', { token: jwtFor('42') });
      assert.deepEqual(reply, { status: 'ok', response: { user_id: '42' } });
      assert.equal((await conn.join('user_count:42')).status, 'ok');
      assert.deepEqual((await conn.join('user_count:43')).response, { reason: 'unauthorized' });
      // Authenticated once is enough: a second auth (even as another user) is refused.
      const again = await conn.push('phoenix', 'auth', { token: jwtFor('43') });
      assert.deepEqual(again, { status: 'error', response: { reason: 'already authenticated' } });
      assert.equal((await conn.join('user_count:43')).status, 'error');
      // And the socket outlives the auth deadline: the check that refused the control
      // socket was past conn's deadline too.
      await expectRefused(control, 4408, 'auth_timeout');
      assert.ok(conn.isOpen);
      assert.equal((await conn.heartbeat()).status, 'ok');
    } finally { await Promise.all([conn.close(), control.close()]); }
  });

  it('auth with a ticket works, once', async () => {
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '9' } });
    const conn = await bare(server);
    try {
      assert.deepEqual(await conn.push('phoenix', 'auth', { ticket }), { status: 'ok', response: { user_id: '9' } });
    } finally { await conn.close(); }
    const replay = await bare(server);
    replay.send([null, '1', 'phoenix', 'auth', { token: ticket }]);
    await expectRefused(replay, 4401, 'token_invalid');
  });

  it('a bad or expired token closes the socket', async () => {
    const bad = await bare(server);
    bad.send([null, '1', 'phoenix', 'auth', { token: signJwt({ sub: '42', exp: nowS() + 60 }, { key: 'wrong-secret-wrong-secret-wrong-secret' }) }]);
    await expectRefused(bad, 4401, 'token_invalid');
    assert.ok(!bad.messages.some((m) => m.event === 'phx_reply'), 'no ok reply for a bad token');

    const expired = await bare(server);
    expired.send([null, '1', 'phoenix', 'auth', { token: jwtFor('42', { iat: nowS() - 600, exp: nowS() - 120 }) }]);
    await expectRefused(expired, 4401, 'token_expired');

    const none = await bare(server);
    none.send([null, '1', 'phoenix', 'auth', { token: signJwt({ sub: '42', exp: nowS() + 60 }, { alg: 'none', signAs: 'none' }) }]);
    await expectRefused(none, 4401, 'token_invalid');
  });

  it('auth without a token is missing_credentials', async () => {
    for (const payload of [{}, { token: '' }, { token: 42 }, 'token', null]) {
      const conn = await bare(server);
      conn.send([null, '1', 'phoenix', 'auth', payload]);
      await expectRefused(conn, 4401, 'missing_credentials');
    }
  });

  it('no auth within auth_timeout (1 s) is auth_timeout, heartbeats notwithstanding', async () => {
    const silent = await bare(server);
    const chatty = await bare(server);
    const beat = setInterval(() => { if (chatty.isOpen) chatty.send([null, chatty.nextRef(), 'phoenix', 'heartbeat', {}]); }, 200);
    try {
      await Promise.all([
        expectRefused(silent, 4408, 'auth_timeout'),
        expectRefused(chatty, 4408, 'auth_timeout'),
      ]);
      assert.ok(chatty.messages.some((m) => m.event === 'phx_reply' && m.payload.status === 'ok'), 'heartbeats are answered');
    } finally { clearInterval(beat); }
  });

  it('a join before auth is missing_credentials', async () => {
    const conn = await bare(server);
    conn.send(['1', '1', 'user_count:42', 'phx_join', {}]);
    await expectRefused(conn, 4401, 'missing_credentials');
  });

  it('any channel event before auth is missing_credentials', async () => {
    const conn = await bare(server);
    conn.send([null, '1', 'room:lobby', 'new_msg', { body: 'hi' }]);
    await expectRefused(conn, 4401, 'missing_credentials');
  });

  it('refresh_token before auth does not authenticate', async () => {
    const conn = await bare(server);
    try {
      const r = await conn.push('phoenix', 'refresh_token', { token: jwtFor('42') });
      assert.equal(r.status, 'error');
      conn.send(['1', '1', 'user_count:42', 'phx_join', {}]);
      await expectRefused(conn, 4401, 'missing_credentials');
    } finally { await conn.close(); }
  });

  it('a frame over 4 KiB before auth is closed 1009, without a connect_error', async () => {
    const conn = await bare(server);
    conn.send([null, '1', 'phoenix', 'auth', { token: 'x'.repeat(5000) }]);
    const close = await conn.waitClose(WAIT_MS);
    assert.equal(close.code, 1009);
    assert.ok(!conn.messages.some((m) => m.event === 'connect_error'));
  });

  it('after auth, frames up to the normal limit are fine', async () => {
    const conn = await bare(server);
    try {
      assert.equal((await conn.push('phoenix', 'auth', { token: jwtFor('42') })).status, 'ok');
      const r = await conn.push('phoenix', 'heartbeat', { pad: 'x'.repeat(8000) });
      assert.equal(r.status, 'ok');
    } finally { await conn.close(); }
  });

  it('V1 (object) frames: auth works and refusals come as objects', async () => {
    const ok = await bare(server, {}, '1.0.0');
    try {
      ok.send({ topic: 'phoenix', event: 'auth', payload: { token: jwtFor('5') }, ref: '1' });
      const reply = await ok.waitMessage((m) => m.event === 'phx_reply' && m.ref === '1');
      assert.deepEqual(reply.payload, { status: 'ok', response: { user_id: '5' } });
    } finally { await ok.close(); }
    const bad = await bare(server, {}, '1.0.0');
    bad.send({ topic: 'phoenix', event: 'auth', payload: { token: 'forged' }, ref: '1' });
    const ce = await expectRefused(bad, 4401, 'token_invalid');
    assert.equal(ce.reconnect, 'with_new_credentials');
    const raw = bad.messages.find((m) => m.event === 'connect_error');
    assert.equal(raw.topic, 'phoenix');
    assert.ok(!Array.isArray(raw));
  });
});
