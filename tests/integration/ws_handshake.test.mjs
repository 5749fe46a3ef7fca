// The opening handshake as net/ws_handshake answers it (RFC 6455 §4.2), over raw TCP so
// that every header of the answer is seen: the Sec-WebSocket-Accept of the RFC's own
// example, 426 with the version we speak for another version, 400 for a broken key, and
// frames sent right behind the upgrade request read before anything else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { startServer } from './lib/server.mjs';
import { encodeFrame, OP } from './lib/frames.mjs';

// Sends `text` and collects what the server answers until it has `until` (or closes).
function exchange(port, text, until = /\r\n\r\n/) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const done = () => { socket.destroy(); resolve(got.toString('latin1')); };
    const timer = setTimeout(() => reject(new Error(`no answer: ${got.toString('latin1')}`)), 5000);
    socket.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (until.test(got.toString('latin1'))) { clearTimeout(timer); done(); }
    });
    socket.on('close', () => { clearTimeout(timer); done(); });
    socket.on('error', () => {});
    socket.write(text);
  });
}

const upgrade = (headers) => `GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
  `Connection: Upgrade\r\nUpgrade: websocket\r\n${headers}\r\n`;

describe('the opening handshake', () => {
  let server;
  before(async () => { server = await startServer({ env: { SOCKGUARD_AUTH_ALLOW_ANONYMOUS: 'true' } }); });
  after(() => server?.stop());

  test('answers the RFC 6455 example key with its accept value, and the phoenix subprotocol when offered', async () => {
    const answer = await exchange(server.port, upgrade(
      'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: phoenix\r\n'));
    assert.match(answer, /^HTTP\/1\.1 101 /);
    assert.match(answer, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/i);
    assert.match(answer, /\r\nSec-WebSocket-Protocol: phoenix\r\n/i);
  });

  test('another WebSocket version gets 426 naming version 13', async () => {
    const answer = await exchange(server.port, upgrade('Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'));
    assert.match(answer, /^HTTP\/1\.1 426 /);
    assert.match(answer, /\r\nSec-WebSocket-Version: 13\r\n/i);
  });

  test('a key that is not 16 bytes of base64 gets 400', async () => {
    for (const key of ['', 'short', 'dGhlIHNhbXBsZSBub25jZQ', 'dGhlIHNhbXBsZSBub25jZQ==extra']) {
      const answer = await exchange(server.port, upgrade(`Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n`));
      assert.match(answer, /^HTTP\/1\.1 400 /, `key ${JSON.stringify(key)}: ${answer}`);
    }
  });

  test('a frame sent right behind the upgrade request is read after the 101', async () => {
    const heartbeat = encodeFrame(OP.TEXT, JSON.stringify([null, '1', 'phoenix', 'heartbeat', {}]));
    const request = Buffer.concat([
      Buffer.from(upgrade('Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'), 'latin1'),
      heartbeat,
    ]);
    const answer = await exchange(server.port, request, /phx_reply/);
    assert.match(answer, /^HTTP\/1\.1 101 /);
    assert.match(answer, /\[null,"1","phoenix","phx_reply",\{"status":"ok"/);
  });
});
