// The official phoenix client (1.8.16) against the real server: joins, pushes,
// broadcasts, leave, heartbeats, reconnect and rejoin after a restart, refused joins.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { API_KEY, startServer } from './lib/server.mjs';
import {
  disconnect, eventually, join, nextEvent, phoenixSocket, rawJoined, receive, socketOpen, withTimeout, WAIT_MS,
} from './lib/clients.mjs';

async function postBroadcast(server, body, key = API_KEY) {
  const res = await fetch(`${server.httpUrl}/api/broadcast`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function metricValue(server, line) {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('official phoenix client', () => {
  let server;
  const sockets = [];
  const open = (opts) => {
    const s = phoenixSocket(server, opts);
    sockets.push(s);
    return s;
  };

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    if (server) {
      await server.stop().catch(() => server.kill());
      server.cleanup();
    }
  });

  test('joins room:lobby and gets ping replied with the same payload', async () => {
    const socket = open();
    await socketOpen(socket);
    const channel = socket.channel('room:lobby', {});
    const joined = await join(channel);
    assert.deepEqual(joined, { status: 'ok', response: {} });

    const payload = { text: 'héllo', n: 42, nested: { list: [1, 'two', null, true] } };
    const reply = await receive(channel.push('ping', payload));
    assert.deepEqual(reply, { status: 'ok', response: payload });
  });

  describe('fan-out to 50 sockets', () => {
    const N = 50;
    const topic = 'room:fanout';
    const fan = [];

    before(async () => {
      for (let i = 0; i < N; i++) {
        const socket = open();
        const channel = socket.channel(topic, {});
        const counts = new Map();
        const payloads = [];
        channel.onMessage = (event, payload) => {
          if (!event.startsWith('phx_') && !event.startsWith('chan_reply_')) {
            counts.set(event, (counts.get(event) ?? 0) + 1);
            payloads.push({ event, payload });
          }
          return payload;
        };
        fan.push({ socket, channel, counts, payloads });
      }
      const replies = await Promise.all(fan.map((f) => join(f.channel)));
      for (const r of replies) assert.equal(r.status, 'ok');
    });

    // Every socket has seen `event` once the marker that was published after it arrived
    // (one publisher, one topic: per-subscriber order is kept).
    async function awaitMarker(marker) {
      await withTimeout(
        Promise.all(fan.map((f) => eventually(() => f.counts.get(marker) >= 1, { what: `${marker} everywhere` }))),
        WAIT_MS + 1000, `${marker} on all ${N} sockets`,
      );
    }

    test('a pushed shout reaches every joined socket exactly once', async () => {
      const sender = fan[7];
      const reply = await receive(sender.channel.push('shout', { body: 'hi all', from: 7 }));
      assert.deepEqual(reply, { status: 'ok', response: {} });
      const marker = await receive(sender.channel.push('marker_shout', {}));
      assert.equal(marker.status, 'ok');
      await awaitMarker('marker_shout');
      for (const [i, f] of fan.entries()) {
        assert.equal(f.counts.get('shout'), 1, `socket ${i} got shout ${f.counts.get('shout')} times`);
        assert.deepEqual(f.payloads.find((p) => p.event === 'shout').payload, { body: 'hi all', from: 7 });
      }
    });

    test('POST /api/broadcast with the API key reaches every joined socket', async () => {
      const res = await postBroadcast(server, { topic, event: 'news', payload: { headline: 'api', seq: 1 } });
      assert.equal(res.status, 202);
      assert.deepEqual(res.body, { status: 'accepted' });
      assert.equal((await postBroadcast(server, { topic, event: 'marker_api', payload: {} })).status, 202);
      await awaitMarker('marker_api');
      for (const [i, f] of fan.entries()) {
        assert.equal(f.counts.get('news'), 1, `socket ${i} got news ${f.counts.get('news')} times`);
        assert.deepEqual(f.payloads.find((p) => p.event === 'news').payload, { headline: 'api', seq: 1 });
      }
    });

    test('a broadcast to another topic reaches none of them', async () => {
      assert.equal((await postBroadcast(server, { topic: 'room:elsewhere', event: 'stray', payload: {} })).status, 202);
      assert.equal((await postBroadcast(server, { topic, event: 'marker_stray', payload: {} })).status, 202);
      await awaitMarker('marker_stray');
      for (const f of fan) assert.equal(f.counts.get('stray'), undefined);
    });
  });

  test('leave is replied ok, closes the channel, and stops its broadcasts', async () => {
    const socket = open();
    const left = socket.channel('room:leaving', {});
    const stays = socket.channel('room:staying', {});
    assert.equal((await join(left)).status, 'ok');
    assert.equal((await join(stays)).status, 'ok');

    const seen = [];
    socket.onMessage((msg) => seen.push(msg));
    const closed = withTimeout(new Promise((resolve) => left.onClose(resolve)), WAIT_MS, 'channel close');
    const reply = await receive(left.leave());
    assert.equal(reply.status, 'ok');
    await closed;
    assert.equal(left.state, 'closed');
    // The server answered the leave, then sent phx_close with the join_ref.
    await eventually(() => seen.some((m) => m.topic === 'room:leaving' && m.event === 'phx_close'),
      { what: 'phx_close from the server' });

    assert.equal((await postBroadcast(server, { topic: 'room:leaving', event: 'after_leave', payload: {} })).status, 202);
    assert.equal((await postBroadcast(server, { topic: 'room:staying', event: 'still_here', payload: {} })).status, 202);
    await eventually(() => seen.some((m) => m.topic === 'room:staying' && m.event === 'still_here'),
      { what: 'broadcast on the channel still joined' });
    assert.equal(seen.filter((m) => m.event === 'after_leave').length, 0);
  });

  test('join of user_count:42 on an anonymous socket is refused as unauthorized', async () => {
    const socket = open();
    const channel = socket.channel('user_count:42', {});
    const reply = await join(channel);
    assert.deepEqual(reply, { status: 'error', response: { reason: 'unauthorized' } });
    channel.leave();
  });

  test('join of an unknown topic is refused as unmatched topic', async () => {
    const socket = open();
    const channel = socket.channel('nope:1', {});
    const reply = await join(channel);
    assert.deepEqual(reply, { status: 'error', response: { reason: 'unmatched topic' } });
    channel.leave();
  });

  test('a binary ping is answered with a binary reply holding the same bytes', async () => {
    const socket = open();
    const channel = socket.channel('room:binary', {});
    assert.equal((await join(channel)).status, 'ok');
    const bytes = new Uint8Array([0, 1, 2, 127, 128, 200, 255, 0, 42]);
    const reply = await receive(channel.push('ping', bytes.slice().buffer));
    assert.equal(reply.status, 'ok');
    assert.ok(reply.response instanceof ArrayBuffer, 'response is an ArrayBuffer');
    assert.deepEqual(new Uint8Array(reply.response), bytes);
  });

  test('a binary push to a room is broadcast as binary to the other members', async () => {
    const a = open().channel('room:blobs', {});
    const b = open().channel('room:blobs', {});
    assert.equal((await join(a)).status, 'ok');
    assert.equal((await join(b)).status, 'ok');
    const got = nextEvent(b, 'blob');
    const bytes = new Uint8Array([9, 8, 7, 0, 255]);
    assert.equal((await receive(a.push('blob', bytes.slice().buffer))).status, 'ok');
    const payload = await got;
    assert.ok(payload instanceof ArrayBuffer, 'broadcast payload is an ArrayBuffer');
    assert.deepEqual(new Uint8Array(payload), bytes);
  });

  test('joins are counted in /metrics', async () => {
    const before = await metricValue(server, 'sockguard_joins_total{result="ok"}');
    assert.equal(typeof before, 'number');
    const channel = open().channel('room:counted', {});
    assert.equal((await join(channel)).status, 'ok');
    const afterJoin = await metricValue(server, 'sockguard_joins_total{result="ok"}');
    assert.ok(afterJoin >= before + 1, `joins ok went from ${before} to ${afterJoin}`);
  });
});

describe('heartbeats keep the official client connected', () => {
  test('a socket heartbeating every 100 ms outlives a 1 s silence limit that closes a silent one', async (t) => {
    // One shard: the deadline check that closes the silent socket below also looks at this one.
    const server = await startServer({ args: ['--limits-heartbeat-timeout-s', '1', '--threads', '1'], t });
    const socket = phoenixSocket(server, { heartbeatIntervalMs: 100 });
    t.after(() => socket.disconnect());
    const closes = [];
    socket.onClose((e) => closes.push(e));
    let heartbeatReplies = 0;
    socket.onMessage((msg) => {
      if (msg.topic === 'phoenix' && msg.event === 'phx_reply') {
        assert.deepEqual(msg.payload, { status: 'ok', response: {} });
        heartbeatReplies++;
      }
    });
    await socketOpen(socket);
    const channel = socket.channel('room:beats', {});
    assert.equal((await join(channel)).status, 'ok');
    // A silent socket joined after this one: when the server closes it for silence, this
    // older socket, whose channel is just as silent, has been kept by its heartbeats alone.
    const silent = await rawJoined(server, 'room:silent');
    assert.deepEqual(await silent.waitClosed(WAIT_MS), { code: 4408, reason: 'heartbeat_timeout' });
    assert.ok(heartbeatReplies >= 5, `${heartbeatReplies} heartbeat replies`);
    assert.deepEqual(closes, []);
    assert.equal(socket.connectionState(), 'open');
    assert.equal((await receive(channel.push('ping', { still: 'here' }))).response.still, 'here');
  });
});

describe('reconnect after a server restart', () => {
  test('the client reconnects to a new server on the same port and rejoins', async (t) => {
    const first = await startServer({ t });
    const port = first.port;
    const socket = phoenixSocket(first);
    t.after(() => socket.disconnect());
    const channel = socket.channel('room:restart', {});
    const events = [];
    channel.on('after_restart', (p) => events.push(p));
    assert.equal((await join(channel)).status, 'ok');

    const closes = [];
    socket.onClose((e) => closes.push(e.code));
    const exit = await first.stop();
    assert.equal(exit.code, 0);
    await eventually(() => closes.length > 0, { what: 'the client to see the close' });
    assert.equal(closes[0], 1001);

    const second = await startServer({ listen: `127.0.0.1:${port}`, t });
    assert.equal(second.port, port);
    // The official client reconnects by itself and rejoins its channel.
    await eventually(async () => (await metricValue(second, 'sockguard_joins_total{result="ok"}')) >= 1,
      { timeoutMs: 10000, what: 'the rejoin on the new server' });
    await eventually(() => channel.state === 'joined', { what: 'channel joined again' });
    const res = await postBroadcast(second, { topic: 'room:restart', event: 'after_restart', payload: { n: 2 } });
    assert.equal(res.status, 202);
    await eventually(() => events.length === 1, { what: 'broadcast after the restart' });
    assert.deepEqual(events, [{ n: 2 }]);
    await second.stop();
  });
});
