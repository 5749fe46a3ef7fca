// RFC 6455 by hand over a plain TCP socket, for tests that must choose every byte a client
// sends and see every byte the server answers: the upgrade (with the Sec-WebSocket-Accept
// check), client frames with any bits set or lengths announced, and the server's frames
// decoded as they arrive.
//
//   const c = await FrameClient.open(server);
//   await c.send(OP.TEXT, '[null,"1","phoenix","heartbeat",{}]');
//   const frame = await c.waitFor((f) => f.opcode === OP.TEXT, 'a text frame');
//   await c.waitClose()  -> {code, reason} of the server's close frame
//   await c.waitEnd()    -> the server has closed TCP
import crypto from 'node:crypto';
import net from 'node:net';

import { waitOn, withTimeout, WAIT_MS } from './clients.mjs';
import { parseResponse } from './http.mjs';

export const OP = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa };

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

// The Sec-WebSocket-Accept a server must answer to `key` (RFC 6455 §4.2.2).
export function acceptFor(key) {
  return crypto.createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
}

function lengthHeader(n) {
  if (n < 126) return Buffer.from([0, n]);
  if (n <= 0xffff) {
    const h = Buffer.from([0, 126, 0, 0]);
    h.writeUInt16BE(n, 2);
    return h;
  }
  const h = Buffer.alloc(10);
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(n), 2);
  return h;
}

function xorMask(data, key) {
  const out = Buffer.alloc(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] ^ key[i & 3];
  return out;
}

// One client frame: final, masked with a random key and without reserved bits unless told.
// `length` announces another payload length than the payload's (a header sent alone).
export function encodeFrame(opcode, payload = '', { fin = true, mask = true, rsv = 0, length } = {}) {
  const data = Buffer.from(payload);
  const header = lengthHeader(length ?? data.length);
  header[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  if (!mask) return Buffer.concat([header, data]);
  header[1] |= 0x80;
  const key = crypto.randomBytes(4);
  return Buffer.concat([header, key, xorMask(data, key)]);
}

// The payload of a close frame: the code in network order, then the reason.
export function closePayload(code, reason = '') {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(code);
  return Buffer.concat([b, Buffer.from(reason)]);
}

// Splits bytes into complete frames: {frames, rest}. Each frame is {fin, rsv, opcode,
// masked, headerBytes, payload}.
export function decodeFrames(buf) {
  const frames = [];
  let off = 0;
  while (buf.length - off >= 2) {
    const b0 = buf[off];
    const b1 = buf[off + 1];
    let length = b1 & 0x7f;
    let header = 2;
    if (length === 126 && buf.length - off >= 4) {
      length = buf.readUInt16BE(off + 2);
      header = 4;
    } else if (length === 127 && buf.length - off >= 10) {
      length = Number(buf.readBigUInt64BE(off + 2));
      header = 10;
    } else if (length >= 126) break;
    const masked = (b1 & 0x80) !== 0;
    const keyBytes = masked ? 4 : 0;
    if (buf.length - off < header + keyBytes + length) break;
    const start = off + header + keyBytes;
    const raw = Buffer.from(buf.subarray(start, start + length));
    const payload = masked ? xorMask(raw, buf.subarray(off + header, start)) : raw;
    const fin = (b0 & 0x80) !== 0;
    frames.push({ fin, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, headerBytes: header, payload });
    off = start + length;
  }
  return { frames, rest: buf.subarray(off) };
}

// {code, reason} of a close frame's payload; code null when the payload is empty.
export function parseClose(payload) {
  if (payload.length < 2) return { code: null, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString() };
}

// Reads an HTTP response head from socket; resolves {response, rest} with the bytes after it.
function readResponseHead(socket) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve({ response: parseResponse(buf.subarray(0, end + 4).toString('latin1')), rest: buf.subarray(end + 4) });
    };
    const onClose = () => reject(new Error(`closed during the upgrade; got ${JSON.stringify(buf.toString('latin1'))}`));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

export class FrameClient {
  // Connects, upgrades `path` and checks the 101 answer and its Sec-WebSocket-Accept.
  // These clients read connect_error, so they ask for readable refusals (DESIGN §4).
  static async open(server, path = '/socket/websocket?vsn=2.0.0&sockguard_refusal=connect_error') {
    const socket = net.connect(server.port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.on('error', () => {});  // a reset ends the connection like a close; `ended` says when
    await withTimeout(new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    }), WAIT_MS, 'TCP connect');
    const key = crypto.randomBytes(16).toString('base64');
    const head = readResponseHead(socket);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nUpgrade: websocket\r\n`
      + `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
    const { response, rest } = await withTimeout(head, WAIT_MS, `the upgrade of ${path}`);
    if (response.status !== 101) throw new Error(`upgrade refused: ${response.raw}`);
    if (response.headers['sec-websocket-accept'] !== acceptFor(key)) {
      throw new Error(`wrong Sec-WebSocket-Accept for key ${key}: ${response.raw}`);
    }
    return new FrameClient(socket, response, rest);
  }

  constructor(socket, response, rest) {
    this.socket = socket;
    this.response = response;
    this.frames = [];
    this.isEnded = false;
    this.waiters = new Set();
    this.buffer = Buffer.alloc(0);
    this.ended = new Promise((resolve) => socket.once('close', resolve)).then(() => {
      this.isEnded = true;
      this.notify();
    });
    socket.on('data', (d) => this.receive(d));
    this.receive(rest);
  }

  receive(bytes) {
    const { frames, rest } = decodeFrames(Buffer.concat([this.buffer, bytes]));
    this.buffer = rest;
    if (frames.length === 0) return;
    this.frames.push(...frames);
    this.notify();
  }

  notify() {
    for (const w of this.waiters) w();
  }

  // Writes raw bytes; resolves once they are handed to the kernel.
  write(bytes) {
    return new Promise((resolve, reject) => this.socket.write(bytes, (e) => (e ? reject(e) : resolve())));
  }

  send(opcode, payload, options) {
    return this.write(encodeFrame(opcode, payload, options));
  }

  sendJson(message) {
    return this.send(OP.TEXT, JSON.stringify(message));
  }

  // Resolves with the first frame (from index `from`) for which pred holds; rejects when
  // the server closes TCP first or after ms.
  waitFor(pred, what, { from = 0, ms = WAIT_MS } = {}) {
    const detail = () => `; frames: ${this.describe()}`;
    return waitOn(this.waiters, () => {
      const found = this.frames.slice(from).find(pred);
      if (found) return found;
      if (this.isEnded) throw new Error(`connection closed before ${what}${detail()}`);
      return undefined;
    }, { ms, what, detail });
  }

  // The text frames' payloads parsed as JSON.
  get json() {
    return this.frames.filter((f) => f.opcode === OP.TEXT).map((f) => JSON.parse(f.payload.toString()));
  }

  // Resolves with the server's V2 reply to `ref` (the whole frame).
  waitForReply(ref, options) {
    return this.waitFor((f) => f.opcode === OP.TEXT && JSON.parse(f.payload.toString())[1] === ref,
      `phx_reply to ref ${ref}`, options);
  }

  // Resolves with {code, reason} of the server's close frame.
  async waitClose(options) {
    return parseClose((await this.waitFor((f) => f.opcode === OP.CLOSE, 'a close frame', options)).payload);
  }

  waitEnd(ms = WAIT_MS) {
    return withTimeout(this.ended, ms, 'the server to close the TCP connection');
  }

  describe() {
    return JSON.stringify(this.frames.map((f) => `op${f.opcode}:${f.payload.toString().slice(0, 80)}`));
  }

  destroy() {
    this.socket.destroy();
  }
}
