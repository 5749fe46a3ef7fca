// POST /api/users/{id}/disconnect is a revocation by user with a time (issue 10 §1): it
// closes the user's sockets, and every credential issued before it stays void afterwards
// (a JWT with an earlier iat, a ticket minted before), while one issued after it works.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, socketUrl, openRaw, acceptedRaw, expectRefused, refusedRaw, bearerProtocol, mintTicket, postTicket,
  request, WAIT_MS,
} from './lib/clients.mjs';
import { withTimeout } from './lib/with_timeout.mjs';

const viaProtocol = (token) => ({ protocols: ['phoenix', bearerProtocol(token)] });
const jwtIssuedAt = (sub, iat) => signJwt({ sub, iat, exp: iat + 600 }, { key: HS_SECRET });

async function disconnect(server, userId) {
  const res = await request('POST', `${server.http}/api/users/${userId}/disconnect`,
    { headers: { Authorization: `Bearer ${API_KEY}` }, body: {} });
  assert.equal(res.status, 202, res.text);
  return res;
}

describe('revocation by user', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET } });
  });
  after(() => server?.stop());

  it('closes the user\'s sockets and refuses credentials issued before it; later ones work', async () => {
    const before = jwtIssuedAt('61', nowS() - 5);
    const ticketBefore = await mintTicket(server, { bearer: before });
    const open = await acceptedRaw(socketUrl(server), viaProtocol(before));
    const bystander = await acceptedRaw(socketUrl(server), viaProtocol(jwtIssuedAt('62', nowS() - 5)));
    try {
      assert.equal((await open.join('user_count:61')).status, 'ok');
      await disconnect(server, '61');
      // The revocation's time is before this moment; a token issued in a later second is after it.
      const afterIat = nowS() + 1;
      await withTimeout(expectRefused(open, 4403, 'session_revoked'), WAIT_MS, 'socket closed by the disconnect');

      // The same token, still unexpired, opens nothing any more, by any route...
      await refusedRaw(socketUrl(server), viaProtocol(before), 4403, 'session_revoked');
      const firstMessage = openRaw(socketUrl(server));
      try {
        assert.ok(await firstMessage.opened);
        firstMessage.send([null, '1', 'phoenix', 'auth', { token: before }]);
        await expectRefused(firstMessage, 4403, 'session_revoked');
        assert.ok(!firstMessage.messages.some((m) => m.event === 'phx_reply' && m.payload.status === 'ok'));
      } finally { await firstMessage.close(); }
      // ...mints no ticket, and the ticket it minted before is void.
      const mint = await postTicket(server, { bearer: before });
      assert.equal(mint.status, 403, mint.text);
      assert.equal(mint.json.error, 'session_revoked');
      await refusedRaw(socketUrl(server, { ticket: ticketBefore }), {}, 4403, 'session_revoked');

      // A token issued after the disconnect is the user signing in again: it works.
      const fresh = await acceptedRaw(socketUrl(server), viaProtocol(jwtIssuedAt('61', afterIat)));
      try {
        assert.equal((await fresh.join('user_count:61')).status, 'ok');
      } finally { await fresh.close(); }
      const freshTicket = await mintTicket(server, { bearer: jwtIssuedAt('61', afterIat) });
      await (await acceptedRaw(socketUrl(server, { ticket: freshTicket }))).close();

      // Another user was never touched.
      assert.equal((await bystander.heartbeat()).status, 'ok');
      await (await acceptedRaw(socketUrl(server), viaProtocol(jwtIssuedAt('62', nowS() - 5)))).close();
    } finally {
      await Promise.all([open.close(), bystander.close()]);
    }
  });

  it('refresh_token with a token issued before the disconnect is refused session_revoked', async () => {
    const before = jwtIssuedAt('63', nowS() - 5);
    await disconnect(server, '63');
    const conn = await acceptedRaw(socketUrl(server), viaProtocol(jwtIssuedAt('63', nowS() + 1)));
    try {
      assert.deepEqual(await conn.push('phoenix', 'refresh_token', { token: before }),
        { status: 'error', response: { reason: 'session_revoked' } });
      assert.equal((await conn.heartbeat()).status, 'ok');
    } finally { await conn.close(); }
  });
});
