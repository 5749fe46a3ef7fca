// Credential extraction order (DESIGN §3): first match wins, a broken credential never
// falls through to a weaker one, ?token= is ignored unless auth.query_token is on, and
// credentials of one kind are not accepted in the place of another.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, socketUrl, openRaw, refusedRaw, acceptedRaw, expectRefused, bearerProtocol, mintTicket,
} from './lib/clients.mjs';

const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: HS_SECRET });
const protocol = (token) => ({ protocols: ['phoenix', bearerProtocol(token)] });

describe('credential order, query_token off', () => {
  let server;
  before(async () => { server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET } }); });
  after(() => server?.stop());

  it('?token= is ignored: the socket is bare and must still authenticate', async () => {
    const conn = openRaw(socketUrl(server, { token: jwtFor('1') }));
    assert.ok(await conn.opened);
    conn.send(['1', '1', 'user_count:1', 'phx_join', {}]);
    await expectRefused(conn, 4401, 'missing_credentials');
  });

  it('a forged ticket does not fall through to a valid JWT in the subprotocol', async () => {
    const forged = crypto.randomBytes(32).toString('base64url');
    await refusedRaw(socketUrl(server, { ticket: forged }), protocol(jwtFor('1')), 4401, 'token_invalid');
  });

  it('a broken subprotocol token does not fall through to first-message auth', async () => {
    await refusedRaw(socketUrl(server), { protocols: ['phoenix', 'base64url.bearer.phx.!!!'] }, 4401, 'token_invalid');
    await refusedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol('')] }, 4401, 'token_invalid');
  });

  it('the ticket wins over a JWT for another user', async () => {
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '2' } });
    const conn = await acceptedRaw(socketUrl(server, { ticket }), protocol(jwtFor('3')));
    try {
      assert.equal((await conn.join('user_count:2')).status, 'ok');
      assert.deepEqual((await conn.join('user_count:3')).response, { reason: 'unauthorized' });
    } finally { await conn.close(); }
  });

  it('only the first ?ticket= counts, and an unused second one stays valid', async () => {
    const valid = await mintTicket(server, { bearer: API_KEY, body: { user_id: '4' } });
    const forged = crypto.randomBytes(32).toString('base64url');
    await refusedRaw(`${server.ws}/socket/websocket?ticket=${forged}&ticket=${valid}&vsn=2.0.0&sockguard_refusal=connect_error`, {}, 4401, 'token_invalid');
    const conn = await acceptedRaw(socketUrl(server, { ticket: valid }));
    await conn.close();
  });

  it('a credential is not accepted in the place of another kind', async () => {
    // A JWT is not a ticket.
    await refusedRaw(socketUrl(server, { ticket: jwtFor('5') }), {}, 4401, 'token_invalid');
    // The server API key is not a socket credential, in any place.
    await refusedRaw(socketUrl(server), protocol(API_KEY), 4401, 'token_invalid');
    await refusedRaw(socketUrl(server, { ticket: API_KEY }), {}, 4401, 'token_invalid');
    const bare = openRaw(socketUrl(server));
    bare.send([null, '1', 'phoenix', 'auth', { token: API_KEY }]);
    await expectRefused(bare, 4401, 'token_invalid');
    // A session CSRF token is not a ticket, and a ticket is not a JWT for the ticket endpoint.
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '5' } });
    const res = await fetch(`${server.http}/api/socket/ticket`, {
      method: 'POST', headers: { Authorization: `Bearer ${ticket}`, 'Content-Type': 'application/json' }, body: '{}',
    });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'token_invalid');
  });

  it('the Authorization header is not a socket credential', async () => {
    const conn = openRaw(socketUrl(server), { headers: { Authorization: `Bearer ${jwtFor('6')}` } });
    assert.ok(await conn.opened);
    conn.send(['1', '1', 'user_count:6', 'phx_join', {}]);
    await expectRefused(conn, 4401, 'missing_credentials');
  });
});

describe('credential order, query_token on', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-query-token': 'true' } });
  });
  after(() => server?.stop());

  it('?token= carries a JWT, checked like any other', async () => {
    const conn = await acceptedRaw(socketUrl(server, { token: jwtFor('7') }));
    try {
      assert.equal((await conn.join('user_count:7')).status, 'ok');
    } finally { await conn.close(); }
    await refusedRaw(socketUrl(server, { token: signJwt({ sub: '7', exp: nowS() + 60 }, { alg: 'none', signAs: 'none' }) }), {},
      4401, 'token_invalid');
    await refusedRaw(socketUrl(server, { token: '' }), {}, 4401, 'token_invalid');
  });

  it('a broken subprotocol token does not fall through to a valid ?token=', async () => {
    await refusedRaw(socketUrl(server, { token: jwtFor('8') }), protocol('forged.jwt.value'), 4401, 'token_invalid');
  });

  it('a ticket in ?token= is not a JWT', async () => {
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '9' } });
    await refusedRaw(socketUrl(server, { token: ticket }), {}, 4401, 'token_invalid');
  });
});
