// Raw `ws` frames: the V1 protocol, malformed input, protocol misuse, limits, refused
// handshakes. After each misbehaving client, a good client on the same server still works
// and an observer joined the whole time sees nothing it did not ask for.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './lib/server.mjs';
import { assertHealthy, RawClient, rawJoined, phoenixSocket, withTimeout, WAIT_MS } from './lib/clients.mjs';

const FRAME_BYTES = 1024;
const TOPICS_PER_SOCKET = 3;

describe('raw protocol', () => {
  let server;
  let observer;
  const clients = [];
  const track = (c) => {
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startServer({
      args: ['--limits-frame-bytes', String(FRAME_BYTES), '--limits-frame-bytes-before-auth', '512',
        '--limits-topics-per-socket', String(TOPICS_PER_SOCKET)],
    });
    observer = await rawJoined(server, 'room:lobby');
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await assertHealthy(server, assert);
  });
  after(async () => {
    // The observer saw exactly its join reply: nothing from any other client leaked to it,
    // and it was never closed.
    assert.equal(observer.closeEvent, null);
    assert.deepEqual(observer.json, [['1', '1', 'room:lobby', 'phx_reply', { status: 'ok', response: {} }]]);
    observer.close();
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  describe('V1 (JSON objects)', () => {
    for (const [name, params] of [['vsn=1.0.0', { vsn: '1.0.0' }], ['no vsn', {}]]) {
      test(`${name}: join, ping and broadcast use objects`, async () => {
        const v1 = track(await RawClient.open(server.wsUrl(params)));
        v1.send({ topic: 'room:v1', event: 'phx_join', payload: {}, ref: '1' });
        const joined = await v1.waitFor((m) => m.json?.ref === '1', { what: 'V1 join reply' });
        assert.deepEqual(
          { topic: joined.json.topic, event: joined.json.event, payload: joined.json.payload, ref: joined.json.ref },
          { topic: 'room:v1', event: 'phx_reply', payload: { status: 'ok', response: {} }, ref: '1' },
        );
        assert.ok(!Array.isArray(joined.json));
        if ('join_ref' in joined.json) assert.equal(joined.json.join_ref, '1');

        v1.send({ topic: 'room:v1', event: 'ping', payload: { a: [1, 2] }, ref: '2', join_ref: '1' });
        const pong = await v1.waitFor((m) => m.json?.ref === '2', { what: 'V1 ping reply' });
        assert.equal(pong.json.event, 'phx_reply');
        assert.deepEqual(pong.json.payload, { status: 'ok', response: { a: [1, 2] } });

        v1.send({ topic: 'room:v1', event: 'shout', payload: { x: 1 }, ref: '3' });
        const shout = await v1.waitFor((m) => m.json?.event === 'shout', { what: 'V1 broadcast' });
        assert.deepEqual({ ...shout.json, join_ref: shout.json.join_ref ?? null },
          { topic: 'room:v1', event: 'shout', payload: { x: 1 }, ref: null, join_ref: null });

        v1.send({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '4' });
        const beat = await v1.waitFor((m) => m.json?.ref === '4', { what: 'V1 heartbeat reply' });
        assert.deepEqual(beat.json.payload, { status: 'ok', response: {} });
        assert.ok(v1.messages.every((m) => !m.binary));
      });
    }

    test('a V2 array on a V1 socket is a policy violation', async () => {
      const v1 = track(await RawClient.open(server.wsUrl({ vsn: '1.0.0' })));
      v1.send(['1', '1', 'room:v1', 'phx_join', {}]);
      assert.deepEqual(await v1.waitClosed(), { code: 1008, reason: 'policy_violation' });
    });
  });

  describe('malformed input closes with 1008 policy_violation', () => {
    const cases = [
      ['not JSON', 'this is not json'],
      ['truncated JSON', '["1","1","room:lobby","phx_join",{}'],
      ['wrong arity (4)', JSON.stringify(['1', '1', 'room:lobby', 'phx_join'])],
      // (Six elements are read as Phoenix reads them, [.. payload | _]: phoenix_parity_protocol.)
      ['an object on a V2 socket', JSON.stringify({ topic: 'room:lobby', event: 'phx_join', payload: {}, ref: '1' })],
      ['a number topic', JSON.stringify(['1', '1', 7, 'phx_join', {}])],
      ['an empty event', JSON.stringify(['1', '1', 'room:lobby', '', {}])],
    ];
    for (const [name, frame] of cases) {
      test(name, async () => {
        const c = track(await RawClient.open(server.wsUrl()));
        c.send(frame);
        assert.deepEqual(await c.waitClosed(), { code: 1008, reason: 'policy_violation' });
        // Protocol misuse is not announced with connect_error.
        assert.deepEqual(c.messages, []);
      });
    }

    test('a binary frame that is not a push', async () => {
      const c = track(await RawClient.open(server.wsUrl()));
      c.send(Buffer.from([1, 0, 0, 0, 0]));
      assert.deepEqual(await c.waitClosed(), { code: 1008, reason: 'policy_violation' });
    });

    test('a truncated binary push', async () => {
      const c = track(await RawClient.open(server.wsUrl()));
      c.send(Buffer.from([0, 1, 1, 10, 4, 0x31]));
      assert.deepEqual(await c.waitClosed(), { code: 1008, reason: 'policy_violation' });
    });
  });

  test('a frame over limits.frame_bytes closes with 1009', async () => {
    const c = track(await rawJoined(server, 'room:big'));
    const under = await c.request('1', '2', 'room:big', 'ping', { pad: 'x'.repeat(FRAME_BYTES - 200) });
    assert.equal(under[4].status, 'ok');
    c.send(['1', '3', 'room:big', 'ping', { pad: 'x'.repeat(FRAME_BYTES * 2) }]);
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1009);
    assert.equal(c.json.filter((m) => m[1] === '3').length, 0);
  });

  test('an unknown phx_ event on a joined room is answered with an error', async () => {
    const c = track(await rawJoined(server, 'room:misc'));
    const reply = await c.request('1', '2', 'room:misc', 'phx_foo', {});
    assert.deepEqual(reply, ['1', '2', 'room:misc', 'phx_reply', { status: 'error', response: { reason: 'unknown event' } }]);
    assert.equal(c.closeEvent, null);
  });

  test('an unknown event on the phoenix topic is answered with an error', async () => {
    const c = track(await RawClient.open(server.wsUrl()));
    const reply = await c.request(null, '1', 'phoenix', 'nonsense', {});
    assert.equal(reply[4].status, 'error');
    const beat = await c.request(null, '2', 'phoenix', 'heartbeat', {});
    assert.deepEqual(beat, [null, '2', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]);
  });

  test('a push to a topic not joined is answered with unmatched topic', async () => {
    const c = track(await RawClient.open(server.wsUrl()));
    const reply = await c.request('5', '6', 'room:never', 'shout', { x: 1 });
    // Without a join_ref, as Phoenix answers a topic it has no channel for.
    assert.deepEqual(reply, [null, '6', 'room:never', 'phx_reply', { status: 'error', response: { reason: 'unmatched topic' } }]);
    // A leave of a topic not joined has nothing to do and is answered ok, as Phoenix does
    // (the stock client leaves channels whose join was refused), without a phx_close.
    const leave = await c.request('5', '7', 'room:never', 'phx_leave', {});
    assert.deepEqual(leave, ['5', '7', 'room:never', 'phx_reply', { status: 'ok', response: {} }]);
    await c.request(null, '8', 'phoenix', 'heartbeat', {});
    assert.equal(c.json.filter((m) => m[3] === 'phx_close').length, 0);
  });

  test('a push with a stale join_ref is ignored, as Phoenix does', async () => {
    const c = track(await rawJoined(server, 'room:stale'));
    const from = c.messages.length;
    c.send(['99', '2', 'room:stale', 'ping', {}]);
    await c.request(null, '3', 'phoenix', 'heartbeat', {});
    assert.deepEqual(c.json.slice(from), [[null, '3', 'phoenix', 'phx_reply', { status: 'ok', response: {} }]]);
  });

  test('a second join of a topic joins again, then closes the old join (Phoenix\'s order)', async () => {
    const c = track(await rawJoined(server, 'room:dup'));
    const from = c.messages.length;
    c.send(['3', '3', 'room:dup', 'phx_join', {}]);
    await c.waitFor((m) => m.json?.[3] === 'phx_close', { from, what: 'phx_close' });
    const after = c.json.slice(from);
    assert.deepEqual(after, [
      ['3', '3', 'room:dup', 'phx_reply', { status: 'ok', response: {} }],
      ['1', '1', 'room:dup', 'phx_close', {}],
    ]);
    // The new join is the live one: a push with the old join_ref is stale and ignored.
    assert.equal((await c.request('3', '4', 'room:dup', 'ping', {}))[4].status, 'ok');
    const before = c.messages.length;
    c.send(['1', '5', 'room:dup', 'ping', {}]);
    await c.request('3', '5b', 'room:dup', 'ping', {});
    assert.deepEqual(c.json.slice(before).map((m) => m[1]), ['5b']);
    // Broadcasts arrive once, not once per join.
    await c.request('3', '6', 'room:dup', 'shout', { once: true });
    await c.request('3', '7', 'room:dup', 'ping', {});
    assert.equal(c.json.filter((m) => m[3] === 'shout').length, 1);
  });

  test('joining more than limits.topics_per_socket is refused', async () => {
    const c = track(await RawClient.open(server.wsUrl()));
    for (let i = 1; i <= TOPICS_PER_SOCKET; i++) {
      const r = await c.request(String(i), String(i), `room:many${i}`, 'phx_join', {});
      assert.equal(r[4].status, 'ok', `join ${i}`);
    }
    const refused = await c.request('9', '9', 'room:one-too-many', 'phx_join', {});
    assert.deepEqual(refused[4], { status: 'error', response: { reason: 'too many channels joined' } });
    // Rejoining one already joined is a replacement, not a new channel.
    const rejoin = await c.request('10', '10', 'room:many1', 'phx_join', {});
    assert.equal(rejoin[4].status, 'ok');
    // After a leave there is room again.
    assert.equal((await c.request('2', '11', 'room:many2', 'phx_leave', {}))[4].status, 'ok');
    assert.equal((await c.request('12', '12', 'room:one-too-many', 'phx_join', {}))[4].status, 'ok');
    assert.equal(c.closeEvent, null);
  });

  test('leave is replied ok, then phx_close with the join_ref', async () => {
    const c = track(await rawJoined(server, 'room:bye'));
    const from = c.messages.length;
    await c.request('1', '2', 'room:bye', 'phx_leave', {});
    await c.waitFor((m) => m.json?.[3] === 'phx_close', { from, what: 'phx_close' });
    assert.deepEqual(c.json.slice(from), [
      ['1', '2', 'room:bye', 'phx_reply', { status: 'ok', response: {} }],
      ['1', '1', 'room:bye', 'phx_close', {}],
    ]);
  });

  // Phoenix matches vsn before the upgrade (its transport answers a plain HTTP status):
  // a client whose version is not spoken could not read a connect_error in it, so even a
  // client that asks for readable refusals gets HTTP here.
  for (const vsn of ['9.9.9', '2', 'abc', '2.1.0']) {
    test(`vsn=${vsn} is refused before the upgrade with HTTP 400 bad_request`, async () => {
      const c = track(new RawClient(server.wsUrl({ vsn })));
      await assert.rejects(withTimeout(c.opened, WAIT_MS, 'refusal'), /unexpected HTTP 400/);
      assert.equal(c.messages.length, 0);
    });
  }

  test('a WebSocket upgrade on another path is a 404', async () => {
    const c = new RawClient(`ws://127.0.0.1:${server.port}/elsewhere`);
    await assert.rejects(withTimeout(c.opened, WAIT_MS, 'refusal'), /unexpected HTTP 404/);
  });
});

describe('without auth.allow_anonymous', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false' } });
  });
  after(async () => {
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  const expectedError = { code: 4401, reason: 'missing_credentials', reconnect: 'after_sign_in', retry_after_ms: null };

  test('a bare socket that joins gets connect_error missing_credentials and close 4401', async () => {
    const c = await RawClient.open(server.wsUrl());
    c.send(['1', '1', 'room:lobby', 'phx_join', {}]);
    const closed = await c.waitClosed();
    assert.deepEqual(closed, { code: 4401, reason: 'missing_credentials' });
    assert.equal(c.messages.length, 1);
    assert.deepEqual(c.messages[0].json, [null, null, 'phoenix', 'connect_error', expectedError]);
  });

  test('a bare socket pushing auth without a token gets missing_credentials', async () => {
    const c = await RawClient.open(server.wsUrl());
    c.send([null, '1', 'phoenix', 'auth', {}]);
    const closed = await c.waitClosed();
    assert.deepEqual(closed, { code: 4401, reason: 'missing_credentials' });
    assert.deepEqual(c.json.find((m) => m[3] === 'connect_error'), [null, null, 'phoenix', 'connect_error', expectedError]);
  });

  test('V1: the connect_error is an object', async () => {
    const c = await RawClient.open(server.wsUrl({ vsn: '1.0.0' }));
    c.send({ topic: 'room:lobby', event: 'phx_join', payload: {}, ref: '1' });
    assert.deepEqual(await c.waitClosed(), { code: 4401, reason: 'missing_credentials' });
    const msg = c.json[0];
    assert.equal(msg.topic, 'phoenix');
    assert.equal(msg.event, 'connect_error');
    assert.deepEqual(msg.payload, expectedError);
  });

  // A stock client that does not ask is refused with plain HTTP (phoenix_parity_refusals).
  test('the official client asking for readable refusals reads connect_error and the close code', async (t) => {
    const socket = phoenixSocket(server, { reconnectAfterMs: () => 60000, params: { sockguard_refusal: 'connect_error' } });
    t.after(() => socket.disconnect());
    const messages = [];
    socket.onMessage((m) => messages.push(m));
    const closed = withTimeout(new Promise((resolve) => socket.onClose(resolve)), WAIT_MS, 'close');
    socket.channel('room:lobby', {}).join();
    const event = await closed;
    assert.equal(event.code, 4401);
    assert.equal(event.reason, 'missing_credentials');
    assert.deepEqual(messages.map((m) => [m.topic, m.event, m.payload]),
      [['phoenix', 'connect_error', expectedError]]);
  });

  test('heartbeats are allowed while the socket has not authenticated', async () => {
    const c = await RawClient.open(server.wsUrl());
    const beat = await c.request(null, '1', 'phoenix', 'heartbeat', {});
    assert.deepEqual(beat[4], { status: 'ok', response: {} });
    c.close();
  });
});
