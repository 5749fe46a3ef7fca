// Redis down and back (issue 11, "Faults"): while the cluster's Redis is down, ticket
// minting answers 503 server_busy with Retry-After, handshakes that need Redis are
// refused server_busy (4503), sockets already open stay open and local delivery goes on,
// and POST /api/broadcast answers 503 instead of accepting what cannot reach the other
// nodes. When Redis is back the nodes reconnect and subscribe again by themselves, and
// broadcasts reach every node once more, without a restart of any node.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  startRedis, startNodes, startNode, broadcast, warmUp, waitRedisReady, sleep, APP, HS_SECRET, API_KEY,
} from './lib/cluster.mjs';
import {
  signJwt, nowS, postTicket, socketUrl, openRaw, acceptedRaw, expectRefused, bearerProtocol, request,
} from './security/lib/clients.mjs';
import { register, sessionTicketHeaders } from './security/lib/accounts.mjs';

const jwtFor = (user) => signJwt({ sub: String(user), exp: nowS() + 600, iat: nowS() }, { key: HS_SECRET });
const bearer = (user) => ({ origin: APP, protocols: ['phoenix', bearerProtocol(jwtFor(user))] });

async function joinedOn(node, user, topic) {
  const conn = await acceptedRaw(socketUrl(node), bearer(user));
  const reply = await conn.join(topic);
  assert.equal(reply.status, 'ok', JSON.stringify(reply));
  return conn;
}

describe('Redis stopped and restarted under a running cluster', () => {
  let redis, a, b, c;
  before(async () => {
    redis = await startRedis();
    [a, b, c] = await startNodes(redis, 3, { '--app-user-count-interval-ms': '200' });
  });
  after(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((n) => n.stop()));
    await redis?.dispose();
  });

  it('refuses what needs Redis with server_busy, keeps open sockets, then resumes', async () => {
    const topic = 'room:faults';
    const subs = [await joinedOn(b, 501, topic), await joinedOn(c, 502, topic)];
    const counted = await joinedOn(b, 503, 'user_count:503');
    // A session signed in on A, with a socket on A and one on C.
    const session = await register(a, 'faults-logout@example.com', APP);
    const sessionSocket = async (node) => {
      const t = await postTicket(a, { origin: APP, headers: sessionTicketHeaders(session) });
      assert.equal(t.status, 200, t.text);
      return acceptedRaw(socketUrl(node, { ticket: t.json.ticket }), { origin: APP });
    };
    const onA = await sessionSocket(a);
    const onC = await sessionSocket(c);
    try {
      await warmUp(a, topic, subs);

      await redis.stop();
      await Promise.all([a, b, c].map((n) => waitRedisReady(n, false)));

      // Not ready (the load balancer's cue), yet alive.
      const readyz = await request('GET', `${b.http}/readyz`);
      assert.equal(readyz.status, 503, readyz.text);
      assert.equal(readyz.json.checks.redis, 'unavailable');
      assert.equal((await request('GET', `${b.http}/healthz`)).status, 200);

      // Minting: 503 server_busy with Retry-After.
      const mint = await postTicket(a, { bearer: jwtFor(504), origin: APP });
      assert.equal(mint.status, 503, mint.text);
      assert.equal(mint.json.error, 'server_busy');
      assert.ok(Number(mint.headers['retry-after']) >= 1, JSON.stringify(mint.headers));

      // A handshake needs the revocation records: refused server_busy, never let through.
      const refused = openRaw(socketUrl(b), bearer(505));
      const payload = await expectRefused(refused, 4503, 'server_busy');
      assert.ok(payload.retry_after_ms > 0, JSON.stringify(payload));
      await refused.close();

      // Sign-in cannot be throttled: 503, never an unthrottled guess.
      const login = await request('POST', `${c.http}/api/accounts/login`,
        { headers: { Origin: APP }, body: { email: 'someone@example.com', password: 'a password 123' } });
      assert.equal(login.status, 503, login.text);
      assert.equal(login.json.error, 'server_busy');

      // Broadcasts cannot reach the other nodes: 503, nothing accepted.
      const res = await broadcast(a, topic, 'lost', { n: 1 });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.headers['retry-after'], '1');
      const batch = await request('POST', `${a.http}/api/broadcast/batch`, {
        headers: { Authorization: `Bearer ${API_KEY}` },
        body: { broadcasts: [{ topic, event: 'lost', payload: {} }, { topic, event: 'lost', payload: {} }] },
      });
      assert.equal(batch.status, 503, batch.text);
      assert.equal(batch.headers['x-published-count'], '0');

      // Open sockets stay open, answer heartbeats, and local delivery (user_count, which
      // each node publishes for its own sockets) goes on.
      const before = counted.messages.filter((m) => m.event === 'user_count').length;
      await sleep(700);
      for (const s of [...subs, counted]) {
        assert.ok(s.isOpen, 'an open socket was closed while Redis was down');
        assert.equal((await s.heartbeat()).status, 'ok');
      }
      const during = counted.messages.filter((m) => m.event === 'user_count').length;
      assert.ok(during > before, `no user_count delivered while Redis was down (${before} -> ${during})`);

      // Logout while Redis is down: A's socket closes at once; C's when Redis is back.
      const out = await request('POST', `${a.http}/api/accounts/logout`,
        { headers: { Origin: APP, Cookie: session.cookie, 'X-CSRF-Token': session.csrf }, body: {} });
      console.log(`# logout on A with Redis down: ${out.status}`);
      assert.equal(out.status, 200, out.text);
      assert.deepEqual(await onA.waitClose(), { code: 4403, reason: 'session_revoked' });
      await sleep(300);
      assert.ok(onC.isOpen, 'C cannot have heard of the logout yet');

      // Back: every node reconnects and subscribes again, without a restart.
      await redis.start();
      await Promise.all([a, b, c].map((n) => waitRedisReady(n, true)));
      assert.deepEqual(await onC.waitClose(), { code: 4403, reason: 'session_revoked' });
      assert.equal((await request('GET', `${b.http}/readyz`)).status, 200);
      await warmUp(a, 'room:faults', subs);
      for (let i = 0; i < 50; i++) assert.equal((await broadcast(a, topic, 'after', { i })).status, 202);
      for (const s of subs) {
        await s.waitMessage((m) => m.event === 'after' && m.payload.i === 49, 10000);
        assert.deepEqual(s.messages.filter((m) => m.event === 'after').map((m) => m.payload.i),
          Array.from({ length: 50 }, (_, i) => i));
        assert.equal(s.messages.filter((m) => m.event === 'lost').length, 0);
      }
      // And tickets work across nodes again.
      const again = await postTicket(a, { bearer: jwtFor(506), origin: APP });
      assert.equal(again.status, 200, again.text);
      const conn = await acceptedRaw(socketUrl(c, { ticket: again.json.ticket }), { origin: APP });
      await conn.close();
    } finally {
      await Promise.all([...subs, counted, onA, onC].map((s) => s.close()));
    }
  });

  it('a Redis that hangs (SIGSTOP) fails commands within seconds instead of holding them', async () => {
    redis.child.kill('SIGSTOP');
    try {
      const started = performance.now();
      const mint = await postTicket(a, { bearer: jwtFor(701), origin: APP });
      const ms = performance.now() - started;
      console.log(`# ticket mint with Redis stopped (SIGSTOP): ${mint.status} after ${ms.toFixed(0)} ms`);
      assert.equal(mint.status, 503, mint.text);
      assert.ok(ms < 4500, `answered after ${ms} ms`);
      await waitRedisReady(a, false);
    } finally {
      redis.child.kill('SIGCONT');
    }
    await Promise.all([a, b, c].map((n) => waitRedisReady(n, true)));
    const again = await postTicket(a, { bearer: jwtFor(702), origin: APP });
    assert.equal(again.status, 200, again.text);
  });

  it('a node started while Redis is down serves, answers server_busy, and joins when Redis comes', async () => {
    await redis.stop();
    const d = await startNode(redis, 'node-d');
    try {
      await waitRedisReady(d, false);
      const mint = await postTicket(d, { bearer: jwtFor(601), origin: APP });
      assert.equal(mint.status, 503, mint.text);
      const health = await fetch(`${d.http}/healthz`);
      assert.equal(health.status, 200);
      await redis.start();
      await Promise.all([a, b, c, d].map((n) => waitRedisReady(n, true)));
      const sub = await joinedOn(d, 602, 'room:late');
      try {
        await warmUp(a, 'room:late', [sub]);
      } finally {
        await sub.close();
      }
    } finally {
      await d.stop();
    }
  });
});
