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
