// Phoenix Presence across the nodes of a cluster (issue 11): three sockguard nodes on one
// real redis-server, the stock phoenix client's `Presence` on each. Users joined on
// different nodes see each other (presence_state, then presence_diff); a clean leave
// reaches the other nodes at once; a node killed with SIGKILL says nothing, and its
// entries leave the others within the documented bound (node_ttl 15 s + one 1 s tick of
// its last heartbeat; README "Presence").
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Presence, Socket } from 'phoenix';
import WebSocket from 'ws';

import { startRedis, startNodes, sleep, APP, HS_SECRET } from './lib/cluster.mjs';
import { signJwt, nowS } from './security/lib/clients.mjs';

const jwtFor = (user) => signJwt({ sub: String(user), exp: nowS() + 600, iat: nowS() }, { key: HS_SECRET });
const TOPIC = 'room:everywhere';
const BOUND_MS = 16000;  // node_ttl + one tick

async function eventually(check, what, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await sleep(20);
  }
}

// A user's stock phoenix socket on `node`, joined to TOPIC with the stock Presence on it.
async function presentOn(node, user) {
  class Transport extends WebSocket {
    constructor(url, protocols) { super(url, protocols, { origin: APP }); }
  }
  const socket = new Socket(node.socketBase, {
    transport: Transport,
    authToken: jwtFor(user),
    reconnectAfterMs: () => 60 * 1000,
    rejoinAfterMs: () => 60 * 1000,
  });
  socket.connect();
  const channel = socket.channel(TOPIC, { client: `on-${node.port}` });
  const events = [];
  const original = channel.onMessage.bind(channel);
  channel.onMessage = (event, payload, ref) => {
    if (event === 'presence_state' || event === 'presence_diff') events.push(event);
    return original(event, payload, ref);
  };
  const presence = new Presence(channel);
  const reply = await new Promise((resolve) => {
    channel.join().receive('ok', () => resolve('ok')).receive('error', (e) => resolve(e)).receive('timeout', () => resolve('timeout'));
  });
  assert.equal(reply, 'ok');
  const users = () => presence.list((key) => key).sort();
  const stop = () => new Promise((resolve) => {
    socket.reconnectTimer.reset();
    channel.rejoinTimer.reset();
    socket.disconnect(resolve, 1000);
    setTimeout(resolve, 1500).unref();
  });
  return { user, node, socket, channel, presence, events, users, stop };
}

describe('presence across three nodes on Redis', () => {
  let redis;
  let nodes = [];
  before(async () => {
    redis = await startRedis();
    nodes = await startNodes(redis, 3, { '--channels-presence-topics': 'room:*' });
  });
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()));
    await redis?.dispose();
  });

  it('users on different nodes see each other; a leave reaches the others; a killed node\'s users leave within the bound', async () => {
    const [a, b, c] = nodes;
    const clients = [];
    try {
      clients.push(await presentOn(a, 'ann'));
      clients.push(await presentOn(b, 'bob'));
      clients.push(await presentOn(c, 'cid'));
      clients.push(await presentOn(c, 'cat'));
      const everyone = ['ann', 'bob', 'cat', 'cid'];
      for (const cl of clients) {
        await eventually(() => JSON.stringify(cl.users()) === JSON.stringify(everyone),
          () => `${cl.user} on ${cl.node.port} to list ${everyone} (has ${cl.users()})`);
        assert.equal(cl.events[0], 'presence_state');
      }
      // The last joiner's node already knew the others: its presence_state listed them.
      const cat = clients[3];
      const state = cat.presence.state;
      assert.ok(Object.keys(state).includes('ann') && Object.keys(state).includes('bob'));
      // Metas carry the node each socket is on (the join's `client`).
      assert.deepEqual(cat.presence.list((key, { metas }) => `${key}:${metas[0].client}`).sort(),
        [`ann:on-${a.port}`, `bob:on-${b.port}`, `cat:on-${c.port}`, `cid:on-${c.port}`]);

      // A clean leave on B reaches A and C as a diff, at once.
      const bob = clients[1];
      await bob.stop();
      for (const cl of [clients[0], clients[2], clients[3]]) {
        await eventually(() => !cl.users().includes('bob'), () => `bob gone from ${cl.user}'s list`, 2000);
      }

      // SIGKILL of C: it cannot say goodbye; A's list loses its users within the bound.
      const ann = clients[0];
      const killedAt = performance.now();
      c.proc.kill('SIGKILL');
      await c.exitPromise;
      await eventually(() => JSON.stringify(ann.users()) === JSON.stringify(['ann']),
        () => `C's users gone from A (has ${ann.users()})`, BOUND_MS + 2000);
      const tookMs = performance.now() - killedAt;
      console.log(`# SIGKILL of node C: its users left node A's presence after ${tookMs.toFixed(0)} ms`);
      assert.ok(tookMs <= BOUND_MS + 1000, `took ${tookMs} ms`);
      // A newcomer on B sees only who is left.
      const dee = await presentOn(b, 'dee');
      clients.push(dee);
      await eventually(() => JSON.stringify(dee.users()) === JSON.stringify(['ann', 'dee']),
        () => `dee on B to list ann and dee (has ${dee.users()})`);
      await eventually(() => JSON.stringify(ann.users()) === JSON.stringify(['ann', 'dee']),
        () => `ann on A to list ann and dee (has ${ann.users()})`);
    } finally {
      await Promise.all(clients.map((cl) => cl.stop()));
    }
  });
});
