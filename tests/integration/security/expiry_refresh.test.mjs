// Live expiry and refresh (DESIGN §3): when the credential behind a socket expires, the
// server closes it with token_expired unless the client pushed `refresh_token` with a
// fresh credential for the same user first. Leeway is 0 here.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, socketUrl, acceptedRaw, expectRefused, bearerProtocol, mintTicket, withPhoenix,
  expectPhoenixRefused,
} from './lib/clients.mjs';

const jwt = (sub, ttl, extra = {}) => signJwt({ sub, iat: nowS(), exp: nowS() + ttl, ...extra }, { key: HS_SECRET });
// A token expiring at `exp`, in fractional seconds (RFC 7519 NumericDate): short-lived tokens
// need not wait for the next whole second.
const jwtUntil = (sub, exp) => signJwt({ sub, iat: nowS(), exp }, { key: HS_SECRET });
// Long enough for the steps each test takes before expiry, even on a busy machine.
const SHORT_S = 1.5;

const viaProtocol = (token) => ({ protocols: ['phoenix', bearerProtocol(token)] });

describe('live expiry and refresh_token', () => {
  let server;
  before(async () => {
    // One shard: its once-a-second deadline check looks at every socket at the same moment,
    // so the check that closes one socket at its expiry has also looked at the others.
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-jwt-leeway-s': '0', '--threads': '1' } });
  });
  after(() => server?.stop());

  it('a socket is closed token_expired when its JWT expires; a refreshed one stays open', async () => {
    const exp = Date.now() / 1000 + SHORT_S;
    const expiring = jwtUntil('42', exp);
    const refreshed = await acceptedRaw(socketUrl(server), viaProtocol(jwtUntil('42', exp)));
    const mismatched = await acceptedRaw(socketUrl(server), viaProtocol(jwtUntil('42', exp)));
    const badRefresh = await acceptedRaw(socketUrl(server), viaProtocol(jwtUntil('42', exp)));
    try {
      await withPhoenix(server, { authToken: expiring }, async (client) => {
        assert.equal((await client.join('user_count:42')).status, 'ok');

        const ok = await refreshed.push('phoenix', 'refresh_token', { token: jwt('42', 600) });
        assert.equal(ok.status, 'ok', JSON.stringify(ok));
        assert.ok(ok.response.expires_at >= nowS() + 590, JSON.stringify(ok));

        const other = await mismatched.push('phoenix', 'refresh_token', { token: jwt('43', 600) });
        assert.deepEqual(other, { status: 'error', response: { reason: 'user_mismatch' } });

        const cases = [
          [{ token: jwt('42', -5, { iat: nowS() - 60 }) }, 'token_expired'],
          [{ token: signJwt({ sub: '42', exp: nowS() + 600 }, { key: 'another-secret-another-secret-another' }) }, 'token_invalid'],
          [{ token: signJwt({ sub: '42', exp: nowS() + 600 }, { alg: 'none', signAs: 'none' }) }, 'token_invalid'],
          [{ token: crypto.randomBytes(32).toString('base64url') }, 'token_invalid'],
          [{}, 'missing_credentials'],
        ];
        for (const [payload, reason] of cases) {
          const r = await badRefresh.push('phoenix', 'refresh_token', payload);
          assert.deepEqual(r, { status: 'error', response: { reason } }, JSON.stringify(payload));
        }

        // The official client's socket is closed at expiry, with the connect_error first.
        await expectPhoenixRefused(client, 4401, 'token_expired');
        assert.ok(Date.now() / 1000 >= exp, 'closed no earlier than exp');
      });
      // The sockets whose refresh failed are closed too; the refreshed one is not.
      await Promise.all([
        expectRefused(mismatched, 4401, 'token_expired'),
        expectRefused(badRefresh, 4401, 'token_expired'),
      ]);
      // The check that closed them was past the original expiry: the refreshed socket was
      // kept (a heartbeat round trip shows no close was on its way).
      assert.ok(refreshed.isOpen);
      assert.equal((await refreshed.heartbeat()).status, 'ok');
      assert.equal((await refreshed.join('user_count:42')).status, 'ok');
      assert.ok(!refreshed.messages.some((m) => m.event === 'connect_error'));
    } finally {
      await Promise.all([refreshed.close(), mismatched.close(), badRefresh.close()]);
    }
  });

  it('a ticket lives no longer than the JWT it was traded for; refresh with a ticket works', async () => {
    const exp = Date.now() / 1000 + SHORT_S;
    const short = jwtUntil('50', exp);
    const t1 = await mintTicket(server, { bearer: short });
    const t2 = await mintTicket(server, { bearer: short });
    const expiring = await acceptedRaw(socketUrl(server, { ticket: t1 }));
    const refreshed = await acceptedRaw(socketUrl(server, { ticket: t2 }));
    try {
      const fresh = await mintTicket(server, { bearer: jwt('50', 600) });
      const r = await refreshed.push('phoenix', 'refresh_token', { ticket: fresh });
      assert.equal(r.status, 'ok', JSON.stringify(r));
      // A ticket for someone else is user_mismatch, and is spent.
      const foreign = await mintTicket(server, { bearer: API_KEY, body: { user_id: '51' } });
      assert.deepEqual(await refreshed.push('phoenix', 'refresh_token', { ticket: foreign }),
        { status: 'error', response: { reason: 'user_mismatch' } });
      assert.deepEqual(await refreshed.push('phoenix', 'refresh_token', { ticket: fresh }),
        { status: 'error', response: { reason: 'token_invalid' } });
      await expectRefused(expiring, 4401, 'token_expired');  // a check past exp has looked at both
      assert.equal((await refreshed.heartbeat()).status, 'ok');
    } finally {
      await Promise.all([expiring.close(), refreshed.close()]);
    }
  });

  it('a refresh token with a jti works once', async () => {
    const conn = await acceptedRaw(socketUrl(server), viaProtocol(jwt('60', 600)));
    try {
      const token = jwt('60', 600, { jti: crypto.randomUUID() });
      assert.equal((await conn.push('phoenix', 'refresh_token', { token })).status, 'ok');
      assert.deepEqual(await conn.push('phoenix', 'refresh_token', { token }),
        { status: 'error', response: { reason: 'token_invalid' } });
    } finally { await conn.close(); }
  });
});
