// Issue 14 §4: the protocol's fine print, as Phoenix's server does it (lib/phoenix/socket.ex,
// the V2 serializer). The unmodified `phoenix` client where it can produce the input, raw
// `ws` where it cannot (numeric refs, missing join_refs, stale refs, invalid JSON).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Socket } from 'phoenix';
import WebSocket from 'ws';

import { startServer } from './lib/server.mjs';
import {
  delay, eventually, join, nextEvent, phoenixSocket, RawClient, rawJoined, receive, socketOpen, withTimeout, WAIT_MS,
} from './lib/clients.mjs';
import { postJson } from './lib/http.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => {
  await server.stop().catch(() => server.kill());
  server.cleanup();
});

// Raw clients here do not ask for connect_error: nothing below is a refusal.
const rawUrl = (params) => server.wsUrl({ sockguard_refusal: null, ...params });

describe('vsn is matched as Phoenix matches it (~> 2.0.0, ~> 1.0.0)', () => {
  test('the stock client with vsn 2.0.1 joins and pushes (V2)', async (t) => {
    const socket = phoenixSocket(server, { vsn: '2.0.1' });
    t.after(() => socket.disconnect());
    const channel = socket.channel('room:vsn201', {});
    assert.equal((await join(channel)).status, 'ok');
    assert.deepEqual(await receive(channel.push('ping', { n: 1 })), { status: 'ok', response: { n: 1 } });
  });

  test('vsn 2.0.9 speaks arrays, vsn 1.0.3 objects', async () => {
    const v2 = await RawClient.open(rawUrl({ vsn: '2.0.9' }));
    assert.deepEqual(await v2.request('1', '1', 'room:v209', 'phx_join', {}),
      ['1', '1', 'room:v209', 'phx_reply', { status: 'ok', response: {} }]);
    v2.close();
    const v1 = await RawClient.open(rawUrl({ vsn: '1.0.3' }));
    v1.send({ topic: 'room:v103', event: 'phx_join', payload: {}, ref: '1' });
    const reply = await v1.waitFor((m) => m.json?.ref === '1', { what: 'V1 join reply' });
    assert.equal(reply.json.event, 'phx_reply');
    assert.deepEqual(reply.json.payload, { status: 'ok', response: {} });
    v1.close();
  });

  for (const vsn of ['2.1.0', '3.0.0', '2.0.1-rc.1', 'two']) {
    test(`vsn ${vsn} is refused before the upgrade: HTTP 400, no 101`, async () => {
      const c = new RawClient(rawUrl({ vsn }));
      await assert.rejects(withTimeout(c.opened, WAIT_MS, 'refusal'), /unexpected HTTP 400/);
    });
  }
});

describe('replies and refs', () => {
  test('a reply to a push without join_ref carries the channel\'s join_ref', async () => {
    const c = await rawJoined(server, 'room:jr');
    assert.deepEqual(await c.request(null, '2', 'room:jr', 'ping', { a: 1 }),
      ['1', '2', 'room:jr', 'phx_reply', { status: 'ok', response: { a: 1 } }]);
    c.close();
  });

  test('integer refs come back as integers, string refs as strings', async () => {
    const c = await RawClient.open(rawUrl({ vsn: '2.0.0' }));
    c.send([5, 5, 'room:num', 'phx_join', {}]);
    const joined = await c.waitFor((m) => m.json?.[3] === 'phx_reply' && m.json[1] === 5, { what: 'join reply' });
    assert.deepEqual(joined.json, [5, 5, 'room:num', 'phx_reply', { status: 'ok', response: {} }]);
    c.send([5, 6, 'room:num', 'ping', { x: 1 }]);
    const pushed = await c.waitFor((m) => m.json?.[1] === 6, { what: 'push reply' });
    assert.deepEqual(pushed.json, [5, 6, 'room:num', 'phx_reply', { status: 'ok', response: { x: 1 } }]);
    c.send([null, 7, 'phoenix', 'heartbeat', {}]);
    const beat = await c.waitFor((m) => m.json?.[1] === 7, { what: 'heartbeat reply' });
    assert.deepEqual(beat.json, [null, 7, 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
    c.send(['8', '8', 'room:str', 'phx_join', {}]);
    assert.deepEqual(await c.waitForReply('8'), ['8', '8', 'room:str', 'phx_reply', { status: 'ok', response: {} }]);
    c.close();
  });

  test('a V2 array with elements past the payload is read as [join_ref, ref, topic, event, payload | _]', async () => {
    const c = await rawJoined(server, 'room:extra');
    c.send(['1', '2', 'room:extra', 'ping', { a: 1 }, 'extra', { more: true }]);
    assert.deepEqual(await c.waitForReply('2'), ['1', '2', 'room:extra', 'phx_reply', { status: 'ok', response: { a: 1 } }]);
    assert.equal(c.closeEvent, null);
    c.close();
  });

  test('the stock client\'s pushes are answered on their channel', async (t) => {
    const socket = phoenixSocket(server);
    t.after(() => socket.disconnect());
    const channel = socket.channel('room:stockreply', {});
    assert.equal((await join(channel)).status, 'ok');
    const replies = [];
    socket.onMessage((m) => { if (m.event === 'phx_reply' && m.topic === 'room:stockreply') replies.push(m); });
    assert.deepEqual(await receive(channel.push('ping', { z: 2 })), { status: 'ok', response: { z: 2 } });
    assert.equal(replies.at(-1).join_ref, channel.joinRef());
  });
});

describe('duplicate joins, stale leaves and pushes', () => {
  test('a duplicate join: the new join\'s reply, then phx_close for the old join', async () => {
    const c = await rawJoined(server, 'room:dup');
    const from = c.messages.length;
    c.send(['3', '3', 'room:dup', 'phx_join', {}]);
    await c.waitFor((m) => m.json?.[3] === 'phx_close', { from, what: 'phx_close' });
    assert.deepEqual(c.json.slice(from), [
      ['3', '3', 'room:dup', 'phx_reply', { status: 'ok', response: {} }],
      ['1', '1', 'room:dup', 'phx_close', {}],
    ]);
    c.close();
  });

  test('the stock client joining a topic twice ends with the second channel joined and the first closed', async (t) => {
    const socket = phoenixSocket(server);
    t.after(() => socket.disconnect());
    const first = socket.channel('room:twice', {});
    assert.equal((await join(first)).status, 'ok');
    const second = socket.channel('room:twice', {});
    assert.equal((await join(second)).status, 'ok');
    await eventually(() => first.isClosed(), { what: 'the first channel closed' });
    assert.ok(second.isJoined());
    const got = nextEvent(second, 'news');
    await postJson(server, '/api/broadcast', { topic: 'room:twice', event: 'news', payload: { n: 1 } });
    assert.deepEqual(await got, { n: 1 });
  });

  test('a phx_leave or push with an earlier join_ref is ignored: no reply, the current join lives', async () => {
    const c = await rawJoined(server, 'room:stale');
    c.send(['3', '3', 'room:stale', 'phx_join', {}]);
    await c.waitFor((m) => m.json?.[3] === 'phx_close', { what: 'phx_close of the old join' });
    const from = c.messages.length;
    c.send(['1', '4', 'room:stale', 'ping', {}]);
    c.send(['1', '5', 'room:stale', 'phx_leave', {}]);
    // A heartbeat answered after them shows they were read and left unanswered.
    await c.request(null, '6', 'phoenix', 'heartbeat', {});
    assert.deepEqual(c.json.slice(from), [[null, '6', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]]);
    assert.deepEqual(await c.request('3', '7', 'room:stale', 'ping', { still: 'joined' }),
      ['3', '7', 'room:stale', 'phx_reply', { status: 'ok', response: { still: 'joined' } }]);
    c.close();
  });

  test('a leave of a topic never joined is answered ok, and a push to it unmatched without join_ref', async () => {
    const c = await RawClient.open(rawUrl({ vsn: '2.0.0' }));
    assert.deepEqual(await c.request('9', '1', 'room:never', 'phx_leave', {}),
      ['9', '1', 'room:never', 'phx_reply', { status: 'ok', response: {} }]);
    assert.deepEqual(await c.request('9', '2', 'room:never', 'ping', {}),
      [null, '2', 'room:never', 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } }]);
    c.close();
  });
});

describe('server-originated binary', () => {
  test('POST /api/broadcast with payload_base64: V2 gets a binary broadcast (kind 2), V1 {payload_base64}', async (t) => {
    const socket = phoenixSocket(server);
    t.after(() => socket.disconnect());
    const channel = socket.channel('room:bin', {});
    assert.equal((await join(channel)).status, 'ok');
    const raw = await rawJoined(server, 'room:bin');
    const v1 = await rawJoined(server, 'room:bin', { vsn: '1.0.0' });
    t.after(() => { raw.close(); v1.close(); });

    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const got = nextEvent(channel, 'blob');
    const res = await postJson(server, '/api/broadcast', { topic: 'room:bin', event: 'blob', payload_base64: bytes.toString('base64') });
    assert.equal(res.status, 202);

    const payload = await got;
    assert.ok(payload instanceof ArrayBuffer, `the stock client decodes an ArrayBuffer, got ${payload}`);
    assert.deepEqual(Buffer.from(payload), bytes);

    const frame = await raw.waitFor((m) => m.binary, { what: 'binary broadcast' });
    const topic = Buffer.from('room:bin');
    const event = Buffer.from('blob');
    assert.deepEqual(frame.data, Buffer.concat([Buffer.from([2, topic.length, event.length]), topic, event, bytes]));

    const text = await v1.waitFor((m) => m.json?.event === 'blob', { what: 'V1 base64 broadcast' });
    assert.equal(text.binary, false);
    assert.deepEqual(text.json.payload, { payload_base64: bytes.toString('base64') });
    assert.equal(text.json.topic, 'room:bin');
  });

  test('payload_base64 is checked: not base64, or beside payload, is a 400', async () => {
    const bad = await postJson(server, '/api/broadcast', { topic: 'room:bin', event: 'blob', payload_base64: '***' });
    assert.equal(bad.status, 400);
    const both = await postJson(server, '/api/broadcast', { topic: 'room:bin', event: 'blob', payload: {}, payload_base64: 'AA==' });
    assert.equal(both.status, 400);
    const batch = await postJson(server, '/api/broadcast/batch',
      { broadcasts: [{ topic: 'room:bin', event: 'blob', payload_base64: 'AAE=' }] });
    assert.equal(batch.status, 202);
  });
});

describe('default limits a Phoenix app can reach', () => {
  test('joining 100 channels (the cap) and pushing once on each at connect is served', async (t) => {
    const own = await startServer({ t });  // default limits, as shipped
    const socket = phoenixSocket(own);
    t.after(() => socket.disconnect());
    let closed = null;
    socket.onClose((e) => { closed ??= e; });
    const channels = Array.from({ length: 100 }, (_, i) => socket.channel(`room:many${i}`, {}));
    const joins = channels.map((c) => join(c));
    const pushes = channels.map((c, i) => receive(c.push('ping', { i })));
    const joined = await Promise.all(joins);
    assert.ok(joined.every((r) => r.status === 'ok'), JSON.stringify(joined.filter((r) => r.status !== 'ok')[0]));
    const replies = await Promise.all(pushes);
    replies.forEach((r, i) => assert.deepEqual(r, { status: 'ok', response: { i } }));
    await delay(200);
    assert.equal(closed, null, `closed ${closed?.code} ${closed?.reason}`);
  });
});

describe('inbound JSON that does not decode', () => {
  test('closes 1008, and the stock client\'s channels see phx_error, then rejoin after the reconnect', async (t) => {
    const socket = phoenixSocket(server);
    t.after(() => socket.disconnect());
    await socketOpen(socket);
    const channel = socket.channel('room:garbled', {});
    let joins = 0;
    const errors = [];
    channel.onError((reason) => errors.push(reason));
    const rejoined = new Promise((resolve) => {
      channel.join().receive('ok', () => { if (++joins === 2) resolve(); });
    });
    await eventually(() => joins === 1, { what: 'first join' });
    const closed = new Promise((resolve) => socket.onClose(resolve));
    socket.conn.send('this is not JSON');  // the stock client cannot send this itself
    const event = await withTimeout(closed, WAIT_MS, 'close');
    assert.equal(event.code, 1008);
    await eventually(() => errors.length >= 1, { what: 'phx_error on the channel' });
    await withTimeout(rejoined, WAIT_MS, 'rejoin');
    assert.ok(channel.isJoined());
    assert.deepEqual(await receive(channel.push('ping', { back: true })), { status: 'ok', response: { back: true } });
  });
});

// The stock Socket class is used unmodified; keep its import honest.
assert.equal(typeof Socket, 'function');
assert.equal(typeof WebSocket, 'function');
