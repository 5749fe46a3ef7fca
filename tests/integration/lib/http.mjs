// A raw HTTP/1.1 exchange over a plain TCP socket, for requests fetch() will not send
// (oversized headers, half-sent requests) and answers it would hide.
import net from 'node:net';

import { withTimeout, WAIT_MS } from './clients.mjs';

// Sends `request` (a string or Buffer), collects everything until the server closes the
// connection, and parses the status line, headers and body of the first response.
export async function rawRequest(port, request, { ms = WAIT_MS } = {}) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks = [];
  const done = new Promise((resolve, reject) => {
    socket.on('data', (d) => chunks.push(d));
    socket.on('close', () => resolve());
    socket.on('error', (e) => (chunks.length ? resolve() : reject(e)));
  });
  socket.on('connect', () => socket.end(request));
  await withTimeout(done, ms, 'raw HTTP response');
  return parseResponse(Buffer.concat(chunks).toString('latin1'));
}

export function parseResponse(text) {
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? text.slice(0, headEnd) : text;
  const [statusLine, ...headerLines] = head.split('\r\n');
  const m = /^HTTP\/1\.1 (\d{3})/.exec(statusLine);
  const headers = {};
  for (const line of headerLines) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: m ? Number(m[1]) : null, headers, body: headEnd >= 0 ? text.slice(headEnd + 4) : '', raw: text };
}
