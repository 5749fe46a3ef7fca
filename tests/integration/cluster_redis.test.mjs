// Three sockguard nodes on one real redis-server (issue 11, "What Redis carries"): tickets
// minted on one node are used on another, exactly once; broadcasts published on one node
// reach subscribers on the others once each and in order; a logout on one node closes the
// session's socket on another.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  startRedis, startNodes, broadcast, withTimeout, APP, HS_SECRET, API_KEY,
} from './lib/cluster.mjs';
import {
  signJwt, nowS, postTicket, mintTicket, socketUrl, openRaw, acceptedRaw, expectRefused, bearerProtocol, request,
} from './security/lib/clients.mjs';
import { register, logout, sessionTicketHeaders } from './security/lib/accounts.mjs';

const jwtFor = (user) => signJwt({ sub: String(user), exp: nowS() + 600, iat: nowS() }, { key: HS_SECRET });

async function joinedOn(node, user, topic) {
  const conn = await acceptedRaw(socketUrl(node), { origin: APP, protocols: ['phoenix', bearerProtocol(jwtFor(user))] });
  const reply = await conn.join(topic);
  assert.equal(reply.status, 'ok', JSON.stringify(reply));
  return conn;
}

describe('a cluster of three nodes on Redis', () => {
  let redis, a, b, c;
  before(async () => {
    redis = await startRedis();
    [a, b, c] = await startNodes(redis, 3, { '--app-user-count-interval-ms': '500' });
  });
  after(async () => {
    await Promise.all([a, b, c].filter(Boolean).map((n) => n.stop()));
    await redis?.dispose();
  });

  it('names each node in /metrics and in its log lines', async () => {
    const res = await fetch(`${b.http}/metrics`);
    assert.match(await res.text(), /^sockguard_node_info\{node="node-b"\} 1$/m);
    assert.match(b.logs(), / \[node-b\] redis node-b\/commands: connected to redis:\/\/default:\[REDACTED\]@127\.0\.0\.1:\d+\/0$/m);
  });

  it('a ticket minted through node A opens a socket on node B, once', async () => {
    const ticket = await mintTicket(a, { bearer: jwtFor(101), origin: APP });
    const conn = await acceptedRaw(socketUrl(b, { ticket }), { origin: APP });
    await conn.close();
    const again = openRaw(socketUrl(c, { ticket }), { origin: APP });
    await expectRefused(again, 4401, 'token_invalid');
    await again.close();
  });

  it('50 simultaneous presentations of one ticket over three nodes: exactly one wins', async () => {
    for (let round = 0; round < 3; round++) {
      const ticket = await mintTicket(a, { bearer: jwtFor(102), origin: APP });
      const nodes = [a, b, c];
      const conns = Array.from({ length: 50 }, (_, i) => openRaw(socketUrl(nodes[i % 3], { ticket }), { origin: APP }));
      try {
        const outcomes = await Promise.all(conns.map((conn) => conn.outcome()));
        const won = outcomes.filter((o) => o.accepted);
        assert.equal(won.length, 1, `round ${round}: ${won.length} accepted`);
        for (const o of outcomes.filter((x) => !x.accepted)) {
          assert.equal(o.connectError?.reason, 'token_invalid', JSON.stringify(o));
        }
      } finally {
        await Promise.all(conns.map((conn) => conn.close()));
      }
    }
  });

  it('200 broadcasts (and a batch of 300) through node A reach subscribers on B and C once each, in order', async () => {
    const topic = 'room:ordered';
    const subscribers = [await joinedOn(b, 201, topic), await joinedOn(b, 202, topic), await joinedOn(c, 203, topic)];
    try {
      // No warm-up: a join is answered once the node's subscription holds.
      for (let i = 0; i < 200; i++) {
        const res = await broadcast(a, topic, 'n', { i });
        assert.equal(res.status, 202, res.text);
      }
      await withTimeout(Promise.all(subscribers.map((s) => s.waitMessage((m) => m.event === 'n' && m.payload.i === 199, 10000))),
        10000, 'the last broadcast on every subscriber');
      for (const s of subscribers) {
        const got = s.messages.filter((m) => m.event === 'n').map((m) => m.payload.i);
        assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i));
      }
      // The batch API too: answered once Redis has taken all of them, delivered in order.
      const batch = await request('POST', `${a.http}/api/broadcast/batch`, {
        headers: { Authorization: `Bearer ${API_KEY}` },
        body: { broadcasts: Array.from({ length: 300 }, (_, i) => ({ topic, event: 'b', payload: { i } })) },
      });
      assert.equal(batch.status, 202, batch.text);
      assert.equal(batch.json.count, 300);
      for (const s of subscribers) {
        await s.waitMessage((m) => m.event === 'b' && m.payload.i === 299, 10000);
        assert.deepEqual(s.messages.filter((m) => m.event === 'b').map((m) => m.payload.i),
          Array.from({ length: 300 }, (_, i) => i));
      }
    } finally {
      await Promise.all(subscribers.map((s) => s.close()));
    }
  });

  it('a node leaves a topic\'s Redis channel when its last local subscriber leaves, and joins it again', async () => {
    const topic = 'room:churn';
    let sub = await joinedOn(c, 204, topic);
    assert.equal((await broadcast(a, topic, 'before', {})).status, 202);
    await sub.waitMessage((m) => m.event === 'before');
    await sub.close();
    // Leave and join again at once, many times: each join may come while the node's
    // UNSUBSCRIBE is still on its way, and must not lose the channel.
    const conn = await joinedOn(c, 206, 'room:other');
    for (let i = 0; i < 20; i++) {
      await conn.push(topic, 'phx_join', {}, { joinRef: String(1000 + i) });
      await conn.push(topic, 'phx_leave', {}, { joinRef: String(1000 + i) });
    }
    await conn.close();
    sub = await joinedOn(c, 205, topic);
    try {
      const res = await broadcast(a, topic, 'after', { ok: true });
      assert.equal(res.status, 202);
      await sub.waitMessage((m) => m.event === 'after');
    } finally {
      await sub.close();
    }
  });

  it('logout on node A closes the session\'s socket on node C', async () => {
    const session = await register(a, 'cluster-logout@example.com', APP);
    const res = await postTicket(a, { origin: APP, headers: sessionTicketHeaders(session) });
    assert.equal(res.status, 200, res.text);
    const conn = await acceptedRaw(socketUrl(c, { ticket: res.json.ticket }), { origin: APP });
    const started = performance.now();
    await logout(a, session, APP);
    const close = await conn.waitClose();
    const delayMs = performance.now() - started;
    console.log(`# logout on A -> socket on C closed after ${delayMs.toFixed(1)} ms (logout request included)`);
    assert.deepEqual(close, { code: 4403, reason: 'session_revoked' });
    assert.ok(delayMs < 2000, `closed after ${delayMs} ms`);
  });

  it('a node that missed a logout while its subscription connection was down closes the socket once back', async () => {
    const session = await register(a, 'cluster-missed@example.com', APP);
    const res = await postTicket(a, { origin: APP, headers: sessionTicketHeaders(session) });
    assert.equal(res.status, 200, res.text);
    const conn = await acceptedRaw(socketUrl(c, { ticket: res.json.ticket }), { origin: APP });
    // Drop node C's subscription connection, and log out before it is back (~0.1 s).
    await redis.cli('CLIENT', 'KILL', 'TYPE', 'pubsub', 'SKIPME', 'yes').catch(() => {});
    const killed = await redis.cli('CLIENT', 'LIST', 'TYPE', 'pubsub');
    await logout(a, session, APP);
    assert.deepEqual(await conn.waitClose(), { code: 4403, reason: 'session_revoked' });
    const replayed = /replayed \d+ revocations/.test(c.logs());
    console.log(`# node C's socket closed after a logout it ${replayed ? 'replayed from the stream' : 'heard live'}` +
      ` (pub/sub clients left: ${killed.trim().split('\n').filter(Boolean).length})`);
  });

  it('a user disconnected through node B is closed on node C and refused on node A', async () => {
    const token = signJwt({ sub: '301', exp: nowS() + 600, iat: nowS() - 5 }, { key: HS_SECRET });
    const live = await acceptedRaw(socketUrl(c), { origin: APP, protocols: ['phoenix', bearerProtocol(token)] });
    const res = await fetch(`${b.http}/api/users/301/disconnect`, {
      method: 'POST', headers: { Authorization: `Bearer ${API_KEY}` },
    });
    assert.equal(res.status, 202);
    assert.deepEqual(await live.waitClose(), { code: 4403, reason: 'session_revoked' });
    const again = openRaw(socketUrl(a), { origin: APP, protocols: ['phoenix', bearerProtocol(token)] });
    await expectRefused(again, 4403, 'session_revoked');
    await again.close();
  });

  it('user_count is published by each node for its own sockets only, not once per node', async () => {
    // Every node ticks every 500 ms. Through the broker, a socket would get a count from
    // each of the three nodes per tick (~12 in 2 s); from its own node only, ~4.
    const conn = await joinedOn(b, 401, 'user_count:401');
    try {
      await new Promise((r) => setTimeout(r, 2000));
      const counts = conn.messages.filter((m) => m.event === 'user_count').length;
      console.log(`# user_count messages in 2 s on one socket: ${counts}`);
      assert.ok(counts >= 1 && counts <= 6, `${counts} user_count messages in 2 s`);
    } finally {
      await conn.close();
    }
  });
});
