// A join reply (and an Absinthe subscription's reply) says "subscribed": in a cluster it
// must not come before the node's SUBSCRIBE has reached Redis, or a broadcast published on
// another node right after the reply is lost. Node A reaches Redis through a proxy that
// holds everything A sends for DELAY_MS, so that window is wide open; node B publishes the
// moment the reply is in. Without the wait, every one of these broadcasts is missed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { startRedis, startNode, waitRedisReady, broadcast, APP, HS_SECRET } from './lib/cluster.mjs';
import { freePort } from './lib/free_port.mjs';
import { signJwt, nowS, socketUrl, acceptedRaw, bearerProtocol } from './security/lib/clients.mjs';

const DELAY_MS = 300;

// A TCP proxy to `port` that delays the client-to-server direction by `delayMs` (each chunk
// keeps its order: equal timeouts fire in the order they were set).
async function delayingProxy(port, delayMs) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.on('data', (chunk) => setTimeout(() => upstream.write(chunk), delayMs));
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => { client.destroy(); upstream.destroy(); };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  const listenPort = await freePort();
  await new Promise((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  return {
    port: listenPort,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

const jwtFor = (user) => signJwt({ sub: String(user), exp: nowS() + 600, iat: nowS() }, { key: HS_SECRET });
const open = (node, user) => acceptedRaw(socketUrl(node), { origin: APP, protocols: ['phoenix', bearerProtocol(jwtFor(user))] });

describe('cluster: replies that say "subscribed" wait for Redis to confirm the subscription', () => {
  let redis, proxy, a, b;
  before(async () => {
    redis = await startRedis();
    proxy = await delayingProxy(redis.port, DELAY_MS);
    const slow = { url: redis.url.replace(`:${redis.port}/`, `:${proxy.port}/`) };
    [a, b] = [startNode(slow, 'node-a'), startNode(redis, 'node-b')];
    [a, b] = await Promise.all([a, b]);
    await Promise.all([waitRedisReady(a), waitRedisReady(b)]);
  });
  after(async () => {
    await Promise.all([a, b].filter(Boolean).map((n) => n.stop()));
    await proxy?.close();
    await redis?.dispose();
  });

  it('a broadcast published on node B right after a join reply on node A reaches the joiner', async () => {
    for (let i = 0; i < 3; i++) {
      const topic = `room:fresh-${i}`;
      const conn = await open(a, 400 + i);
      try {
        const started = performance.now();
        const reply = await conn.join(topic);
        const waited = performance.now() - started;
        assert.equal(reply.status, 'ok', JSON.stringify(reply));
        const res = await broadcast(b, topic, 'right_after', { i });
        assert.equal(res.status, 202, res.text);
        const got = await conn.waitMessage((m) => m.event === 'right_after', 3000, 'the broadcast sent right after the join')
          .catch(() => null);
        assert.ok(got, `join ${i} was answered after ${waited.toFixed(0)} ms, before node A had subscribed: the broadcast was lost`);
        assert.deepEqual(got.payload, { i });
      } finally {
        await conn.close();
      }
    }
  });

  it('a second joiner of a topic whose subscription is still on its way waits for it too', async () => {
    const topic = 'room:two-at-once';
    const [first, second] = await Promise.all([open(a, 410), open(a, 411)]);
    try {
      const replies = await Promise.all([first.join(topic), second.join(topic)]);
      for (const r of replies) assert.equal(r.status, 'ok', JSON.stringify(r));
      assert.equal((await broadcast(b, topic, 'right_after', {})).status, 202);
      for (const conn of [first, second]) {
        assert.ok(await conn.waitMessage((m) => m.event === 'right_after', 3000).catch(() => null), 'a joiner missed the broadcast');
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('an Absinthe subscription answered on node A gets the broadcast node B publishes right after', async () => {
    const conn = await open(a, 420);
    try {
      assert.equal((await conn.join('__absinthe__:control')).status, 'ok');
      const reply = await conn.push('__absinthe__:control', 'doc',
        { query: 'subscription { channel(topic: "room:absinthe-fresh") { event payload } }' });
      assert.equal(reply.status, 'ok', JSON.stringify(reply));
      const { subscriptionId } = reply.response;
      assert.equal((await broadcast(b, 'room:absinthe-fresh', 'right_after', { n: 1 })).status, 202);
      const data = await conn.waitMessage((m) => m.event === 'subscription:data' && m.topic === subscriptionId, 3000)
        .catch(() => null);
      assert.ok(data, 'the subscription was answered before node A had subscribed: the broadcast was lost');
      assert.deepEqual(data.payload.result.data.channel, { event: 'right_after', payload: { n: 1 } });
    } finally {
      await conn.close();
    }
  });
});
