// Issue 10 §4: one JWT used to mint 142 766 tickets in 15 s (9 518/s), filling the store
// for everyone. Minting is now limited per user (rate and live tickets within the TTL) and
// per client IP; the excess gets 429 with Retry-After, other users and the server API key
// are unaffected, and nothing minted before the limit stops working.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import { signJwt, nowS, postTicket, socketUrl, acceptedRaw } from './lib/clients.mjs';

const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: HS_SECRET });

describe('ticket minting limits', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: {
        '--auth-jwt-secret': HS_SECRET,
        '--limits-tickets-per-s-per-user': '2',  // burst 8
        '--limits-live-tickets-per-user': '5',
        '--limits-tickets-per-s-per-ip': '1000',
      },
    });
  });
  after(() => server?.stop());

  it('one user minting in a loop is held to its live-ticket quota, with Retry-After', async () => {
    const token = jwtFor('61');
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push(await postTicket(server, { bearer: token }));
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    assert.equal(ok.length, 5, `statuses: ${answers.map((a) => a.status)}`);
    assert.equal(limited.length, 25);
    for (const r of limited) {
      assert.equal(r.json.error, 'rate_limited');
      assert.match(r.headers['retry-after'], /^[1-9][0-9]*$/);
    }
    // What was minted within the quota still opens a socket.
    const conn = await acceptedRaw(socketUrl(server, { ticket: ok[0].json.ticket }));
    await conn.close();
  });

  it('another user, and a backend with the API key, still mint meanwhile', async () => {
    assert.equal((await postTicket(server, { bearer: jwtFor('62') })).status, 200);
    for (let i = 0; i < 10; i++) {
      const res = await postTicket(server, { bearer: API_KEY, body: { user_id: '61' } });
      assert.equal(res.status, 200, res.text);
    }
  });

  it('per client IP: many users from one address are held to the address rate', async () => {
    const local = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--limits-tickets-per-s-per-ip': '1' },  // burst 4
    });
    try {
      const statuses = [];
      for (let i = 0; i < 12; i++) statuses.push((await postTicket(local, { bearer: jwtFor(`u${i}`) })).status);
      assert.ok(statuses.filter((s) => s === 200).length <= 5, `statuses: ${statuses}`);
      assert.ok(statuses.filter((s) => s === 429).length >= 7, `statuses: ${statuses}`);
      // Another address is not affected.
      const other = await postTicket(local, { bearer: jwtFor('x'), localAddress: '127.0.0.7' });
      assert.equal(other.status, 200, other.text);
    } finally { await local.stop(); }
  });
});
