// RFC 6455 framing as the server does it itself after the upgrade, tested with frames
// written by hand over plain TCP and the server's bytes decoded as they arrive: masking,
// fragments and control frames, TCP splitting and coalescing, the close handshake, the
// failure codes (1002, 1007, 1009) and their counters, and the frames of broadcasts.
// After every test a fresh client on the same server still gets its heartbeat answered.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './lib/server.mjs';
import { closePayload, encodeFrame, FrameClient, OP, parseClose } from './lib/frames.mjs';
import { fetchMetrics, postJson } from './lib/http.mjs';

const FRAME_BYTES = 1024;
const FRAME_BYTES_BEFORE_AUTH = 256;
const BODY_BYTES = 128 * 1024;

const heartbeat = (ref, payload = {}) => [null, ref, 'phoenix', 'heartbeat', payload];
const heartbeatReply = (ref) => [null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }];

// A heartbeat whose JSON text is exactly `bytes` long.
function paddedHeartbeat(ref, bytes) {
  const bare = JSON.stringify(heartbeat(ref, { pad: '' })).length;
  return JSON.stringify(heartbeat(ref, { pad: 'x'.repeat(bytes - bare) }));
}

// What every server frame is: final, unmasked, no reserved bit.
function assertServerFrame(frame, opcode) {
  assert.deepEqual({ fin: frame.fin, rsv: frame.rsv, masked: frame.masked, opcode: frame.opcode },
    { fin: true, rsv: 0, masked: false, opcode });
}

// Waits for the heartbeat reply to ref, checks its frame and returns it.
async function expectHeartbeatReply(client, ref) {
  const frame = await client.waitForReply(ref);
  assertServerFrame(frame, OP.TEXT);
  assert.deepEqual(JSON.parse(frame.payload.toString()), heartbeatReply(ref));
  return frame;
}

// A client on server, destroyed when test t ends.
async function openFor(t, server) {
  const client = await FrameClient.open(server);
  t.after(() => client.destroy());
  return client;
}

// A fresh client on server gets a heartbeat answered.
async function assertServes(server) {
  const client = await FrameClient.open(server);
  try {
    await client.sendJson(heartbeat('health'));
    await expectHeartbeatReply(client, 'health');
  } finally {
    client.destroy();
  }
}

// Waits for the server's close frame and its end of TCP; the close frame is the last
// frame sent. Returns the close frame's payload.
async function expectServerClose(client) {
  const frame = await client.waitFor((f) => f.opcode === OP.CLOSE, 'the server close frame');
  assertServerFrame(frame, OP.CLOSE);
  await client.waitEnd();
  assert.equal(client.frames.at(-1), frame, 'no frame after the close frame');
  return frame.payload;
}

// Sends bytes in one write; asserts the close {code, reason}, the end of TCP, and one more
// sockguard_closes_total for that reason.
async function assertFailsWith(server, bytes, code, reason) {
  const counter = `sockguard_closes_total{reason="${reason}",code="${code}"}`;
  const before = (await fetchMetrics(server)).get(counter);
  const client = await FrameClient.open(server);
  try {
    await client.write(bytes);
    assert.deepEqual(parseClose(await expectServerClose(client)), { code, reason });
    assert.equal((await fetchMetrics(server)).get(counter), before + 1, counter);
  } finally {
    client.destroy();
  }
}

const text = (s) => encodeFrame(OP.TEXT, s);
const header = (opcode, length) => encodeFrame(opcode, '', { length });
const notUtf8 = (bad) => Buffer.concat([Buffer.from('[null,"1","phoenix","heartbeat",{"s":"'), Buffer.from(bad),
  Buffer.from('"}]')]);
const protocolError = [1002, 'protocol_error'];
const invalidPayload = [1007, 'invalid_payload'];
const tooBig = [1009, 'message_too_big'];

// [what the client sends, the bytes, [code, reason]]
const FAILURES = [
  ['an unmasked text frame', encodeFrame(OP.TEXT, JSON.stringify(heartbeat('1')), { mask: false }), protocolError],
  ['a frame with RSV1 set', encodeFrame(OP.TEXT, JSON.stringify(heartbeat('1')), { rsv: 4 }), protocolError],
  ['a frame with RSV3 set', encodeFrame(OP.TEXT, JSON.stringify(heartbeat('1')), { rsv: 1 }), protocolError],
  ['reserved data opcode 0x3', encodeFrame(0x3, 'x'), protocolError],
  ['reserved control opcode 0xB', encodeFrame(0xb, 'x'), protocolError],
  ['a continuation with no message started', encodeFrame(OP.CONTINUATION, 'x'), protocolError],
  ['a text frame while a fragmented message is open',
    Buffer.concat([encodeFrame(OP.TEXT, '[null,', { fin: false }), text('[]')]), protocolError],
  ['a fragmented ping', encodeFrame(OP.PING, 'x', { fin: false }), protocolError],
  ['a ping of 126 bytes', encodeFrame(OP.PING, 'x'.repeat(126)), protocolError],
  ['a close frame with a 1-byte payload', encodeFrame(OP.CLOSE, Buffer.from([3])), protocolError],
  ['a close with code 1005', encodeFrame(OP.CLOSE, closePayload(1005)), protocolError],
  ['a close with code 1006', encodeFrame(OP.CLOSE, closePayload(1006)), protocolError],
  ['a close with code 999', encodeFrame(OP.CLOSE, closePayload(999)), protocolError],
  ['a close with code 5000', encodeFrame(OP.CLOSE, closePayload(5000)), protocolError],
  ['a 64-bit length with its top bit set', header(OP.TEXT, 2 ** 63), protocolError],
  ['a text frame with an invalid byte sequence', text(notUtf8([0xc3, 0x28])), invalidPayload],
  ['a text frame with an overlong encoding', text(notUtf8([0xc0, 0xaf])), invalidPayload],
  ['a text frame with a UTF-16 surrogate', text(notUtf8([0xed, 0xa0, 0x80])), invalidPayload],
  ['a close reason that is not UTF-8', encodeFrame(OP.CLOSE, Buffer.concat([closePayload(1000), Buffer.from([0xff])])),
    invalidPayload],
  [`only the header of a ${FRAME_BYTES + 1}-byte frame`, header(OP.TEXT, FRAME_BYTES + 1), tooBig],
  ['only the 64-bit header of a 1 TiB frame', header(OP.BINARY, 2 ** 40), tooBig],
  [`fragments adding up to ${FRAME_BYTES + 1} bytes (the last one's header alone)`,
    Buffer.concat([encodeFrame(OP.TEXT, 'x'.repeat(FRAME_BYTES - 99), { fin: false }), header(OP.CONTINUATION, 100)]),
    tooBig],
];

describe('WebSocket framing over raw TCP', () => {
  let server;
  const open = (t) => openFor(t, server);

  before(async () => {
    server = await startServer({
      env: {
        SOCKGUARD_LIMITS_FRAME_BYTES: String(FRAME_BYTES),
        SOCKGUARD_LIMITS_FRAME_BYTES_BEFORE_AUTH: String(FRAME_BYTES_BEFORE_AUTH),
        SOCKGUARD_LIMITS_BODY_BYTES: String(BODY_BYTES),
      },
    });
  });
  afterEach(() => assertServes(server));
  after(async () => {
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  describe('messages', () => {
    test('the upgrade answers 101 with the Sec-WebSocket-Accept of the key (checked by open)', async (t) => {
      const c = await open(t);
      assert.equal(c.response.status, 101);
      assert.equal(c.response.headers.upgrade.toLowerCase(), 'websocket');
      assert.deepEqual(c.frames, [], 'the server speaks first only to refuse');
    });

    test('a masked text frame with a heartbeat gets the phx_reply in a 2-byte-header frame', async (t) => {
      const c = await open(t);
      await c.sendJson(heartbeat('1'));
      const frame = await expectHeartbeatReply(c, '1');
      assert.equal(frame.headerBytes, 2);
    });

    test('fragments with a ping between: the ping is ponged with its payload, then the message answered', async (t) => {
      const c = await open(t);
      const message = JSON.stringify(heartbeat('2'));
      await c.send(OP.TEXT, message.slice(0, 10), { fin: false });
      await c.send(OP.PING, 'ping-payload-42');
      await c.send(OP.CONTINUATION, message.slice(10, 20), { fin: false });
      await c.send(OP.CONTINUATION, '', { fin: false });
      await c.send(OP.CONTINUATION, message.slice(20));
      const reply = await expectHeartbeatReply(c, '2');
      const pong = c.frames.find((f) => f.opcode === OP.PONG);
      assert.ok(pong, `a pong among ${c.describe()}`);
      assertServerFrame(pong, OP.PONG);
      assert.equal(pong.payload.toString(), 'ping-payload-42');
      assert.ok(c.frames.indexOf(pong) < c.frames.indexOf(reply), 'the pong precedes the reply');
    });

    test('an empty ping gets an empty pong; an unsolicited pong is ignored', async (t) => {
      const c = await open(t);
      await c.send(OP.PONG, 'unsolicited');
      await c.send(OP.PING, '');
      await c.sendJson(heartbeat('3'));
      await expectHeartbeatReply(c, '3');
      assert.deepEqual(c.frames.map((f) => f.opcode), [OP.PONG, OP.TEXT], c.describe());
      assert.equal(c.frames[0].payload.length, 0);
    });

    test('a UTF-8 character split across two fragments is accepted', async (t) => {
      const c = await open(t);
      const bytes = Buffer.from(JSON.stringify(heartbeat('4', { s: 'é€' })));
      const cut = bytes.indexOf(0xc3) + 1;  // between the two bytes of é
      await c.send(OP.TEXT, bytes.subarray(0, cut), { fin: false });
      await c.send(OP.CONTINUATION, bytes.subarray(cut));
      await expectHeartbeatReply(c, '4');
    });

    test('a message sent one byte per TCP write is answered', async (t) => {
      const c = await open(t);
      for (const byte of encodeFrame(OP.TEXT, JSON.stringify(heartbeat('5')))) await c.write(Buffer.from([byte]));
      await expectHeartbeatReply(c, '5');
    });

    test('50 messages in one TCP write are all answered, in order', async (t) => {
      const c = await open(t);
      const refs = Array.from({ length: 50 }, (_, i) => `m${i}`);
      await c.write(Buffer.concat(refs.map((ref) => encodeFrame(OP.TEXT, JSON.stringify(heartbeat(ref))))));
      await c.waitForReply(refs.at(-1));
      assert.deepEqual(c.json, refs.map(heartbeatReply));
      for (const f of c.frames) assertServerFrame(f, OP.TEXT);
    });

    test(`a message of exactly limits.frame_bytes (${FRAME_BYTES}, over the before-auth limit) is answered`, async (t) => {
      const c = await open(t);
      await c.send(OP.TEXT, paddedHeartbeat('6', FRAME_BYTES));
      await expectHeartbeatReply(c, '6');
    });
  });

  describe('failures: close frame with the code, then the server ends TCP; counted in sockguard_closes_total', () => {
    for (const [name, bytes, [code, reason]] of FAILURES) {
      test(`${name} → ${code} ${reason}`, () => assertFailsWith(server, bytes, code, reason));
    }
  });

  describe('the close handshake started by the client', () => {
    for (const [name, payload, echo] of [
      ['code 1000', closePayload(1000), closePayload(1000)],
      ['code 4000 and a reason', closePayload(4000, 'bye'), closePayload(4000)],
      ['no code', Buffer.alloc(0), Buffer.alloc(0)],
    ]) {
      const answer = echo.length ? 'echoing the code' : 'without one';
      test(`a close with ${name} is answered with a close frame ${answer}, then TCP ends`, async (t) => {
        const c = await open(t);
        await c.sendJson(heartbeat('1'));
        await c.waitForReply('1');
        await c.send(OP.CLOSE, payload);
        assert.deepEqual(await expectServerClose(c), echo);
      });
    }

    test('what follows a client close is not processed', async (t) => {
      const c = await open(t);
      const late = text(JSON.stringify(heartbeat('late')));
      await c.write(Buffer.concat([encodeFrame(OP.CLOSE, closePayload(1000)), late]));
      assert.deepEqual(await expectServerClose(c), closePayload(1000));
      assert.equal(c.frames.length, 1, `only the close frame: ${c.describe()}`);
    });
  });

  describe('broadcasts', () => {
    for (const [name, pad, headerBytes] of [['small', 0, 2], ['medium', 300, 4], ['large', 70_000, 10]]) {
      test(`a ${name} broadcast arrives as one final unmasked text frame, header ${headerBytes} bytes`, async (t) => {
        const c = await open(t);
        const topic = `room:frames-${name}`;
        await c.sendJson(['1', '1', topic, 'phx_join', {}]);
        await c.waitForReply('1');
        const payload = { name, pad: 'p'.repeat(pad) };
        const res = await postJson(server, '/api/broadcast', { topic, event: 'news', payload });
        assert.equal(res.status, 202);
        const frame = await c.waitFor((f) => f.opcode === OP.TEXT && f.payload.includes('"news"'), `news on ${topic}`);
        assertServerFrame(frame, OP.TEXT);
        assert.equal(frame.headerBytes, headerBytes);
        assert.deepEqual(JSON.parse(frame.payload.toString()), [null, null, topic, 'news', payload]);
      });
    }
  });
});

describe('WebSocket framing before authentication', () => {
  let server;
  before(async () => {
    server = await startServer({
      env: {
        SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'false',
        SOCKGUARD_LIMITS_FRAME_BYTES_BEFORE_AUTH: String(FRAME_BYTES_BEFORE_AUTH),
      },
    });
  });
  afterEach(() => assertServes(server));
  after(async () => {
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  test(`a heartbeat of exactly limits.frame_bytes_before_auth (${FRAME_BYTES_BEFORE_AUTH}) is answered`, async (t) => {
    const c = await openFor(t, server);
    await c.send(OP.TEXT, paddedHeartbeat('1', FRAME_BYTES_BEFORE_AUTH));
    await expectHeartbeatReply(c, '1');
  });

  test(`only the header of a ${FRAME_BYTES_BEFORE_AUTH + 1}-byte frame → 1009 message_too_big`,
    () => assertFailsWith(server, header(OP.TEXT, FRAME_BYTES_BEFORE_AUTH + 1), ...tooBig));
});
