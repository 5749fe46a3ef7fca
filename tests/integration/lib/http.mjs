// A raw HTTP/1.1 exchange over a plain TCP socket, for requests fetch() will not send
// (oversized headers, half-sent requests) and answers it would hide; and the /metrics
// and API-key POST helpers the suites share.
import net from 'node:net';

import { withTimeout, WAIT_MS } from './clients.mjs';
import { API_KEY } from './server.mjs';

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

// The samples of a Prometheus text page as a Map of `name{labels}` to value.
export function metricsMap(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

// The server's /metrics samples (see metricsMap).
export async function fetchMetrics(server) {
  return metricsMap(await (await fetch(`${server.httpUrl}/metrics`)).text());
}

// POSTs body (an object, or a string sent as it is) to path with the server API key;
// `headers` add to or replace the defaults, and a null value leaves a header out.
export function postJson(server, path, body, headers = {}) {
  const all = { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}`, ...headers };
  return fetch(`${server.httpUrl}${path}`, {
    method: 'POST',
    headers: Object.fromEntries(Object.entries(all).filter(([, v]) => v !== null)),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
