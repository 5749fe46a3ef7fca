// Channel join rules against the connection's Identity: user_count:{id} and user:{id}
// only for that user, room:* only for authenticated sockets, unknown topics refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, HS_SECRET } from './lib/server.mjs';
import { signJwt, nowS, socketUrl, acceptedRaw, bearerProtocol, withPhoenix, expectRefused } from './lib/clients.mjs';

const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: HS_SECRET });

describe('channel authorization', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allow-anonymous': 'true', '--channels-public-topics': 'public:*' },
    });
  });
  after(() => server?.stop());

  it('with the official client: own user_count joins, another user is unauthorized, unknown topic unmatched', async () => {
    await withPhoenix(server, { authToken: jwtFor('42') }, async (client) => {
      const own = await client.join('user_count:42');
      assert.equal(own.status, 'ok');
      const other = await client.join('user_count:43');
      assert.equal(other.status, 'error');
      assert.deepEqual(other.response, { reason: 'unauthorized' });
      const unknown = await client.join('nope:1');
      assert.equal(unknown.status, 'error');
      assert.deepEqual(unknown.response, { reason: 'unmatched topic' });
    });
  });

  it('look-alike topics of another user are refused', async () => {
    const conn = await acceptedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(jwtFor('42'))] });
    try {
      for (const topic of ['user_count:042', 'user_count:42 ', 'user_count: 42', 'user_count:4', 'user_count:420',
        'user_count:42:x', 'user_count:', 'USER_COUNT:42', 'user:43', 'user_count:%34%32']) {
        const r = await conn.join(topic);
        assert.equal(r.status, 'error', `${topic} -> ${JSON.stringify(r)}`);
        assert.ok(['unauthorized', 'unmatched topic'].includes(r.response.reason), `${topic} -> ${JSON.stringify(r)}`);
      }
      assert.equal((await conn.join('user:42')).status, 'ok');
      assert.equal((await conn.join('room:lobby')).status, 'ok');
    } finally { await conn.close(); }
  });

  it('an anonymous socket may join public topics only', async () => {
    const conn = await acceptedRaw(socketUrl(server));
    try {
      assert.equal((await conn.join('public:news')).status, 'ok');
      for (const topic of ['user_count:', 'user_count:42', 'user:42', 'room:lobby']) {
        const r = await conn.join(topic);
        assert.equal(r.status, 'error', `${topic} -> ${JSON.stringify(r)}`);
      }
      assert.deepEqual((await conn.join('user_count:42')).response, { reason: 'unauthorized' });
      // An anonymous socket may still authenticate with `auth`, but a forged credential
      // ends it like a refused handshake.
      conn.send([null, '9', 'phoenix', 'auth', { token: 'forged' }]);
      await expectRefused(conn, 4401, 'token_invalid');
    } finally { await conn.close(); }
  });
});
