// How requests are read (net/request_parser.hpp: Beast's parser writing into the
// request): chunked bodies and their limit, heads and bodies arriving in pieces, and
// repeated header fields kept in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { API_KEY, startServer } from './lib/server.mjs';
import { withTimeout, WAIT_MS } from './lib/clients.mjs';
import { parseResponse, rawRequest } from './lib/http.mjs';

const BODY_BYTES = 2048;

// Writes `pieces` one at a time, a pause between them (each arrives as a read of its own),
// then collects the answer until the server closes.
async function sendInPieces(port, pieces) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks = [];
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', () => {});
  const closed = new Promise((resolve) => socket.on('close', resolve));
  await withTimeout(new Promise((resolve) => socket.on('connect', resolve)), WAIT_MS, 'connect');
  for (const piece of pieces) {
    socket.write(piece);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  await withTimeout(closed, WAIT_MS, 'the answer');
  return parseResponse(Buffer.concat(chunks).toString('latin1'));
}

const ticketHead = (extra = '') => 'POST /api/socket/ticket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n'
  + `Authorization: Bearer ${API_KEY}\r\nContent-Type: application/json\r\n${extra}`;

describe('HTTP request parsing', () => {
  let server;

  before(async () => {
    server = await startServer({ args: ['--limits-body-bytes', String(BODY_BYTES)] });
  });
  after(async () => {
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  test('a chunked body is read whole', async () => {
    const body = JSON.stringify({ user_id: 'chunky' });
    const chunks = [body.slice(0, 5), body.slice(5, 12), body.slice(12)]
      .map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('');
    const res = await rawRequest(server.port, `${ticketHead('Transfer-Encoding: chunked\r\n')}\r\n${chunks}0\r\n\r\n`);
    assert.equal(res.status, 200, res.raw);
    assert.equal(typeof JSON.parse(res.body).ticket, 'string');
  });

  test('a chunked body over limits.body_bytes: 413', async () => {
    const big = JSON.stringify({ user_id: 'x'.repeat(BODY_BYTES) });
    const chunks = `${big.length.toString(16)}\r\n${big}\r\n0\r\n\r\n`;
    const res = await rawRequest(server.port, `${ticketHead('Transfer-Encoding: chunked\r\n')}\r\n${chunks}`);
    assert.equal(res.status, 413);
    assert.equal(JSON.parse(res.body).error, 'body_too_large');
  });

  test('a head and body split mid-field across reads keep every field whole', async () => {
    const body = JSON.stringify({ user_id: 'pieces' });
    const request = `${ticketHead(`Content-Length: ${body.length}\r\n`)}\r\n${body}`;
    // Cut inside the request line, inside the Authorization value, at a line end, and in the body.
    const cuts = [6, request.indexOf('Bearer') + 10, request.indexOf('Content-Type') - 1, request.length - 4];
    const pieces = [];
    let at = 0;
    for (const cut of cuts) {
      pieces.push(request.slice(at, cut));
      at = cut;
    }
    pieces.push(request.slice(at));
    const res = await sendInPieces(server.port, pieces);
    assert.equal(res.status, 200, res.raw);  // a torn Authorization value would be a 401
    assert.equal(typeof JSON.parse(res.body).ticket, 'string');
  });

  test('header names are matched whatever their case', async () => {
    const body = JSON.stringify({ user_id: 'lower' });
    const res = await rawRequest(server.port, 'POST /api/socket/ticket HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n'
      + `AUTHORIZATION: Bearer ${API_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    assert.equal(res.status, 200, res.raw);
  });

  test('a header line without a colon: 400', async () => {
    const res = await rawRequest(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nNoColonHere\r\n\r\n');
    assert.equal(res.status, 400);
  });

  test('conflicting Content-Length fields: 400', async () => {
    const res = await rawRequest(server.port,
      `${ticketHead('Content-Length: 2\r\nContent-Length: 3\r\n')}\r\n{}`);
    assert.equal(res.status, 400);
  });
});

// What a slow reader gets: answers larger than the socket buffers hold are written in parts
// as the reader makes room (net/http_session: what the socket does not take waits for
// writable), and the requests pipelined behind them are answered after them, whole and in
// order.
describe('HTTP responses larger than the socket takes at once', () => {
  let server;

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  // The first complete response in `bytes` (a Buffer) and what follows it.
  function splitResponse(bytes) {
    const headEnd = bytes.indexOf('\r\n\r\n');
    assert.ok(headEnd > 0, 'a response head');
    const head = parseResponse(bytes.subarray(0, headEnd + 4).toString('latin1'));
    const length = Number(head.headers['content-length']);
    const body = bytes.subarray(headEnd + 4, headEnd + 4 + length);
    assert.equal(body.length, length, 'the whole body');
    return { status: head.status, body: body.toString('utf8'), rest: bytes.subarray(headEnd + 4 + length) };
  }

  test('a reader that pauses gets every answer whole, in order', async () => {
    const origin = `http://127.0.0.1:${server.port}`;
    // 500 copies of the schema's descriptions through one fragment: about 3 MB of answer
    // from an 8 KB document (inside the GraphQL limits on document size, selections and
    // result values). Three of them are more than a paused reader's receive buffer and the
    // server's send buffer hold together (tcp_wmem's most is 4 MB here).
    const schemas = Array.from({ length: 5 }, (_, i) =>
      `s${i}:__schema{${Array.from({ length: 100 }, (__, j) => `t${j}:types{...T}`).join(' ')}}`);
    const query = `{${schemas.join(' ')}} fragment T on __Type{description fields{description args{description}} `
      + 'inputFields{description} enumValues{description}}';
    const request = (extra = '') => {
      const body = JSON.stringify({ query });
      return `POST /api/graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: ${origin}\r\nContent-Type: application/json\r\n`
        + `${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    };
    const socket = net.connect(server.port, '127.0.0.1');
    socket.on('error', () => {});
    const chunks = [];
    const closed = new Promise((resolve) => socket.on('close', resolve));
    await withTimeout(new Promise((resolve) => socket.on('connect', resolve)), WAIT_MS, 'connect');
    socket.pause();  // reads nothing: the kernel buffers fill and the server must wait for room
    socket.write(request() + request() + request('Connection: close\r\n'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.on('data', (d) => chunks.push(d));
    socket.resume();
    await withTimeout(closed, WAIT_MS, 'the three answers');

    let rest = Buffer.concat(chunks);
    assert.ok(rest.length > 8_000_000, `${rest.length} bytes: more than the socket buffers hold`);
    let first;
    for (let i = 0; i < 3; i++) {
      const answer = splitResponse(rest);
      assert.equal(answer.status, 200, answer.body.slice(0, 200));
      const data = JSON.parse(answer.body).data;
      assert.equal(Object.keys(data).length, 5);
      for (const schema of Object.values(data)) {
        assert.equal(Object.keys(schema).length, 100);
        for (const types of Object.values(schema)) assert.deepEqual(types, data.s0.t0);
      }
      if (first === undefined) first = answer.body;
      else assert.equal(answer.body, first);
      rest = answer.rest;
    }
    assert.equal(rest.length, 0);
  });
});
