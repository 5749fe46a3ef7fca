// Revocation (DESIGN §3): POST /api/users/{id}/disconnect with a server API key closes
// every socket of that user, whatever credential opened it, with session_revoked; other
// users keep theirs. Logging out closes the sockets of that session.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, socketUrl, openRaw, acceptedRaw, expectRefused, bearerProtocol, mintTicket, request, withPhoenix,
  expectPhoenixRefused, postTicket,
} from './lib/clients.mjs';

const APP = 'https://app.example.com';
const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: HS_SECRET });

function disconnect(server, userId, headers = {}) {
  return request('POST', `${server.http}/api/users/${userId}/disconnect`, { headers, body: {} });
}

function within(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what} not within ${ms} ms`)), ms); })])
    .finally(() => clearTimeout(t));
}

describe('revocation', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': APP } });
  });
  after(() => server?.stop());

  it('needs the API key', async () => {
    const none = await disconnect(server, '42');
    assert.equal(none.status, 401);
    assert.equal(none.json.error, 'missing_credentials');
    const wrong = await disconnect(server, '42', { Authorization: `Bearer ${API_KEY.slice(0, -1)}` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error, 'token_invalid');
    // A user's own JWT is not an API key.
    const jwt = await disconnect(server, '42', { Authorization: `Bearer ${jwtFor('42')}` });
    assert.equal(jwt.status, 401);
  });

  it('closes every socket of the user with session_revoked, and only theirs', async () => {
    const viaTicket = await acceptedRaw(socketUrl(server, { ticket: await mintTicket(server, { bearer: API_KEY, body: { user_id: '42' } }) }));
    const viaProtocol = await acceptedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(jwtFor('42'))] });
    const viaFirstMessage = openRaw(socketUrl(server));
    const bystander = await acceptedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(jwtFor('43'))] });
    try {
      assert.equal((await viaFirstMessage.push('phoenix', 'auth', { token: jwtFor('42') })).status, 'ok');
      await withPhoenix(server, { authToken: jwtFor('42') }, async (client) => {
        assert.equal((await client.join('user_count:42')).status, 'ok');
        for (const c of [viaTicket, viaProtocol, viaFirstMessage]) assert.equal((await c.join('user_count:42')).status, 'ok');
        assert.equal((await bystander.join('user_count:43')).status, 'ok');

        const res = await disconnect(server, '42', { Authorization: `Bearer ${API_KEY}` });
        assert.equal(res.status, 202, res.text);
        await within(Promise.all([
          expectRefused(viaTicket, 4403, 'session_revoked'),
          expectRefused(viaProtocol, 4403, 'session_revoked'),
          expectRefused(viaFirstMessage, 4403, 'session_revoked'),
          expectPhoenixRefused(client, 4403, 'session_revoked'),
        ]), 2000, 'revocation');
      });
      assert.ok(bystander.isOpen);
      assert.equal((await bystander.heartbeat()).status, 'ok');
      assert.ok(!bystander.messages.some((m) => m.event === 'connect_error'));
    } finally {
      await Promise.all([viaTicket.close(), viaProtocol.close(), viaFirstMessage.close(), bystander.close()]);
    }
  });

  it('a user id that is a prefix of another does not revoke the other', async () => {
    const four = await acceptedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(jwtFor('4'))] });
    const fortyFour = await acceptedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(jwtFor('44'))] });
    try {
      assert.equal((await disconnect(server, '4', { Authorization: `Bearer ${API_KEY}` })).status, 202);
      await within(expectRefused(four, 4403, 'session_revoked'), 2000, 'revocation');
      assert.equal((await fortyFour.heartbeat()).status, 'ok');
    } finally { await Promise.all([four.close(), fortyFour.close()]); }
  });

  it('cookie-session sockets are revoked with their user, and logout closes its session only', async () => {
    const reg = await request('POST', `${server.http}/api/accounts/register`, {
      headers: { Origin: APP }, body: { email: 'revoke@example.com', password: 'correct horse battery staple' },
    });
    assert.equal(reg.status, 201, reg.text);
    const session = [reg.headers['set-cookie']].flat()[0].split(';')[0];
    const { id, csrf_token: csrf } = reg.json;
    const login = await request('POST', `${server.http}/api/accounts/login`, {
      headers: { Origin: APP }, body: { email: 'revoke@example.com', password: 'correct horse battery staple' },
    });
    assert.equal(login.status, 200, login.text);
    const session2 = [login.headers['set-cookie']].flat()[0].split(';')[0];

    const cookieSocket = await acceptedRaw(socketUrl(server, { _csrf_token: csrf }), { origin: APP, headers: { Cookie: session } });
    const ticket = await postTicket(server, { origin: APP, headers: { Cookie: session, 'X-CSRF-Token': csrf } });
    assert.equal(ticket.status, 200, ticket.text);
    const ticketSocket = await acceptedRaw(socketUrl(server, { ticket: ticket.json.ticket }), { origin: APP });
    const otherSession = await acceptedRaw(socketUrl(server, { _csrf_token: login.json.csrf_token }),
      { origin: APP, headers: { Cookie: session2 } });
    try {
      // Logout of the first session closes its two sockets, not the other session's.
      const out = await request('POST', `${server.http}/api/accounts/logout`,
        { headers: { Origin: APP, Cookie: session, 'X-CSRF-Token': csrf }, body: {} });
      assert.equal(out.status, 200, out.text);
      await within(Promise.all([
        expectRefused(cookieSocket, 4403, 'session_revoked'),
        expectRefused(ticketSocket, 4403, 'session_revoked'),
      ]), 2000, 'logout');
      assert.equal((await otherSession.heartbeat()).status, 'ok');
      // The signed-out cookie opens nothing any more.
      const again = openRaw(socketUrl(server, { _csrf_token: csrf }), { origin: APP, headers: { Cookie: session } });
      await expectRefused(again, 4401, 'token_invalid');
      // Revoking the user closes the remaining session's socket.
      assert.equal((await disconnect(server, id, { Authorization: `Bearer ${API_KEY}` })).status, 202);
      await within(expectRefused(otherSession, 4403, 'session_revoked'), 2000, 'revocation');
    } finally {
      await Promise.all([cookieSocket.close(), ticketSocket.close(), otherSession.close()]);
    }
  });
});
