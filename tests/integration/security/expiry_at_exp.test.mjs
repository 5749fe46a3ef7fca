// A socket on a JWT is closed at the token's exp, not at exp + leeway (issue 10 §8): the
// leeway is for clock skew when the token is checked, not extra life for the socket. With
// the default 30 s leeway and a token 2-3 s from exp, the close must come within 10 s (a
// bound far from both: exp + leeway would be 32 s away or more).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, socketUrl, openRaw, acceptedRaw, expectRefused, bearerProtocol, withPhoenix, expectPhoenixRefused,
} from './lib/clients.mjs';
import { withTimeout } from './lib/with_timeout.mjs';

const BOUND_MS = 10_000;
const shortJwt = (sub) => {
  const exp = nowS() + 3;
  return { exp, token: signJwt({ sub, iat: nowS(), exp }, { key: HS_SECRET }) };
};

describe('live expiry at exp', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-jwt-leeway-s': '30' } });
  });
  after(() => server?.stop());

  it('a socket opened with a JWT closes token_expired at exp, well before exp + leeway', async () => {
    const { exp, token } = shortJwt('81');
    const conn = await acceptedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(token)] });
    try {
      assert.equal((await conn.join('user_count:81')).status, 'ok');
      await withTimeout(conn.closed, BOUND_MS, 'close at exp');
      await expectRefused(conn, 4401, 'token_expired');
      assert.ok(nowS() >= exp, 'not closed before exp');
    } finally { await conn.close(); }
  });

  it('the same for a socket authenticated by first message', async () => {
    const { exp, token } = shortJwt('82');
    const conn = openRaw(socketUrl(server));
    try {
      assert.deepEqual(await conn.push('phoenix', 'auth', { token }), { status: 'ok', response: { user_id: '82' } });
      await withTimeout(conn.closed, BOUND_MS, 'close at exp');
      await expectRefused(conn, 4401, 'token_expired');
      assert.ok(nowS() >= exp, 'not closed before exp');
    } finally { await conn.close(); }
  });

  it('and for the official client with an authToken', async () => {
    const { token } = shortJwt('83');
    await withPhoenix(server, { authToken: token }, async (client) => {
      assert.equal((await client.join('user_count:83')).status, 'ok');
      await withTimeout(client.closePromise, BOUND_MS, 'close at exp');
      await expectPhoenixRefused(client, 4401, 'token_expired');
    });
  });
});
