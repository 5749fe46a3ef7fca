// Clients for the security tests: raw `ws` connections that record every frame and the
// close, the official phoenix client over `ws`, plain HTTP through node:http (so the local
// address can be chosen), and JWTs signed here with node:crypto.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import { Socket } from 'phoenix';

import { remember, rememberFields, rememberHeaders } from './secrets.mjs';
import { withTimeout } from './with_timeout.mjs';

export const WAIT_MS = 5000;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// JWT

const b64u = (buf) => Buffer.from(buf).toString('base64url');
export const nowS = () => Math.floor(Date.now() / 1000);

// Signs `claims` as a compact JWS. key: HMAC secret (HS*), or a private KeyObject/PEM.
// header: extra header fields (or overrides, e.g. {alg: 'none'} with signAs).
export function signJwt(claims, { alg = 'HS256', key, header = {}, signAs } = {}) {
  const h = { alg, typ: 'JWT', ...header };
  const input = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(claims))}`;
  const how = signAs ?? alg;
  let sig;
  if (how === 'none') sig = Buffer.alloc(0);
  else if (how.startsWith('HS')) sig = crypto.createHmac(`sha${how.slice(2)}`, key).update(input).digest();
  else if (how === 'RS256') sig = crypto.sign('sha256', Buffer.from(input), key);
  else if (how === 'ES256') sig = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  else if (how === 'ES256-DER') sig = crypto.sign('sha256', Buffer.from(input), { key, dsaEncoding: 'der' });
  else if (how === 'EdDSA') sig = crypto.sign(null, Buffer.from(input), key);
  else throw new Error(`unknown alg ${how}`);
  remember(b64u(sig));
  return remember(`${input}.${b64u(sig)}`);
}

// ---------------------------------------------------------------------------------------
// HTTP

// method, url; headers; body (object -> JSON); localAddress.
export function request(method, url, { headers = {}, body, localAddress } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body));
    const h = { ...headers };
    rememberHeaders(h);
    if (body && typeof body === 'object') rememberFields(body);
    if (data !== undefined) {
      if (!Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) h['Content-Type'] = 'application/json';
      h['Content-Length'] = Buffer.byteLength(data);
    }
    const req = http.request(url, { method, headers: h, localAddress, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        rememberHeaders({ 'set-cookie': res.headers['set-cookie'] ?? [] });
        rememberFields(json);
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (data !== undefined) req.write(data);
    req.end();
  }), WAIT_MS, `${method} ${url}`);
}

// POST /api/socket/ticket; auth: {bearer} ; returns the response.
export function postTicket(server, { bearer, body, origin, headers = {}, localAddress } = {}) {
  const h = { ...headers };
  if (bearer) h.Authorization = `Bearer ${bearer}`;
  if (origin) h.Origin = origin;
  return request('POST', `${server.http}/api/socket/ticket`, { headers: h, body: body ?? {}, localAddress });
}

export async function mintTicket(server, opts) {
  const res = await postTicket(server, opts);
  assert.equal(res.status, 200, `ticket mint failed: ${res.status} ${res.text}`);
  return res.json.ticket;
}

// ---------------------------------------------------------------------------------------
// Raw WebSocket

function decode(text, isBinary) {
  if (isBinary) return { binary: true, raw: text };
  const v = JSON.parse(text.toString());
  if (Array.isArray(v)) {
    const [join_ref, ref, topic, event, payload] = v;
    return { join_ref, ref, topic, event, payload };
  }
  return v;  // V1 object
}

// Raw clients here read connect_error, so they ask for readable refusals (DESIGN §4);
// pass sockguard_refusal: null to connect as a client that does not.
export function socketUrl(server, params = {}, vsn = '2.0.0') {
  rememberFields(params);
  const all = { sockguard_refusal: 'connect_error', ...params };
  const q = new URLSearchParams(Object.entries(all).filter(([, v]) => v !== null && v !== undefined));
  if (vsn !== null) q.set('vsn', vsn);
  return `${server.ws}/socket/websocket?${q}`;
}

// The phoenix client's Sec-WebSocket-Protocol for an authToken.
export function bearerProtocol(token) {
  remember(token);
  return `base64url.bearer.phx.${Buffer.from(token).toString('base64').replace(/=/g, '')}`;
}

export class RawConn {
  // opts: protocols, origin, headers, localAddress
  constructor(url, { protocols, origin, headers, localAddress } = {}) {
    this.url = url;
    this.messages = [];
    this.waiters = [];
    this.httpRefusal = null;
    this.error = null;
    this.ws = new WebSocket(url, protocols ?? [], { origin, headers, localAddress, handshakeTimeout: WAIT_MS });
    this.opened = new Promise((resolve) => {
      this.ws.on('open', () => resolve(true));
      this.ws.on('close', () => resolve(false));
    });
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.ws.on('message', (data, isBinary) => {
      const m = decode(data, isBinary);
      this.messages.push(m);
      for (const w of [...this.waiters]) {
        if (w.pred(m)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    });
    this.ws.on('unexpected-response', (req, res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        this.httpRefusal = { status: res.statusCode, headers: res.headers, text, json };
        this.ws.emit('close', 1006, Buffer.from(''));
        req.destroy();
      });
    });
    this.ws.on('error', (e) => { this.error = e; });
    this.refs = 100;
  }

  get protocol() { return this.ws.protocol; }
  get isOpen() { return this.ws.readyState === WebSocket.OPEN; }

  send(frame) {
    const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
    if (this.ws.readyState === WebSocket.CONNECTING) {
      this.opened.then((open) => { if (open) this.ws.send(text); });
    } else if (this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(text);
    }
  }

  nextRef() { return String(this.refs++); }

  waitMessage(pred, ms = WAIT_MS, what = 'message') {
    const found = this.messages.find(pred);
    if (found) return Promise.resolve(found);
    let waiter;
    const p = new Promise((resolve) => { waiter = { pred, resolve }; this.waiters.push(waiter); });
    return withTimeout(p, ms, `${what} on ${this.url}`).finally(() => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
    });
  }

  waitClose(ms = WAIT_MS) { return withTimeout(this.closed, ms, `close of ${this.url}`); }

  // Pushes [join_ref, ref, topic, event, payload] and waits for its phx_reply.
  async push(topic, event, payload = {}, { joinRef = null } = {}) {
    const ref = this.nextRef();
    this.send([joinRef, ref, topic, event, payload]);
    const reply = await this.waitMessage((m) => m.event === 'phx_reply' && m.ref === ref, WAIT_MS, `reply to ${event}`);
    return reply.payload;  // {status, response}
  }

  heartbeat() { return this.push('phoenix', 'heartbeat', {}); }

  async join(topic, payload = {}) {
    const ref = this.nextRef();
    this.send([ref, ref, topic, 'phx_join', payload]);
    const reply = await this.waitMessage((m) => m.event === 'phx_reply' && m.ref === ref, WAIT_MS, `join ${topic}`);
    return reply.payload;
  }

  // The first message tells how a handshake went: connect_error (refused), or, for an
  // accepted socket, the reply to a heartbeat we push.
  async outcome() {
    const opened = await withTimeout(this.opened, WAIT_MS, `open of ${this.url}`);
    if (!opened) return { accepted: false, close: await this.closed, http: this.httpRefusal };
    this.send([null, 'probe', 'phoenix', 'heartbeat', {}]);
    const first = await this.waitMessage((m) => m.event === 'connect_error' || m.ref === 'probe', WAIT_MS, 'outcome');
    if (first.event === 'connect_error') return { accepted: false, connectError: first.payload, close: await this.waitClose() };
    return { accepted: true, reply: first.payload };
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      try { this.ws.close(1000); } catch { /* ignore */ }
    }
    // Never wait long on a peer: terminate if the close handshake does not finish soon.
    const t = setTimeout(() => this.ws.terminate(), 1000);
    return this.closed.finally(() => clearTimeout(t));
  }
}

export function openRaw(url, opts) { return new RawConn(url, opts); }

// Asserts that a socket was refused the DESIGN §4 way: one connect_error message with the
// code and reason, then a close frame with the same code and reason.
export async function expectRefused(conn, code, reason, { advice } = {}) {
  const close = await conn.waitClose();
  assert.equal(conn.httpRefusal, null, `expected a WebSocket refusal, got HTTP ${conn.httpRefusal?.status}`);
  const errors = conn.messages.filter((m) => m.topic === 'phoenix' && m.event === 'connect_error');
  assert.equal(errors.length, 1, `exactly one connect_error expected, got ${JSON.stringify(conn.messages)}`);
  const ce = errors[0];
  assert.equal(ce.join_ref ?? null, null);
  assert.equal(ce.ref ?? null, null);
  assert.equal(ce.payload.code, code, `connect_error code: ${JSON.stringify(ce.payload)}`);
  assert.equal(ce.payload.reason, reason, `connect_error reason: ${JSON.stringify(ce.payload)}`);
  assert.ok('retry_after_ms' in ce.payload && 'reconnect' in ce.payload);
  if (advice) assert.equal(ce.payload.reconnect, advice);
  assert.deepEqual(close, { code, reason }, `close frame: ${JSON.stringify(close)}`);
  return ce.payload;
}

// Opens a raw socket and expects the refusal.
export async function refusedRaw(url, opts, code, reason) {
  const conn = openRaw(url, opts);
  try {
    return await expectRefused(conn, code, reason);
  } finally {
    await conn.close();
  }
}

// Opens a raw socket and expects it accepted (a heartbeat is answered ok).
export async function acceptedRaw(url, opts) {
  const conn = openRaw(url, opts);
  const o = await conn.outcome();
  assert.ok(o.accepted, `expected an accepted socket, got ${JSON.stringify(o)}`);
  assert.equal(o.reply.status, 'ok');
  return conn;
}

// ---------------------------------------------------------------------------------------
// Official phoenix client

// A phoenix Socket over `ws` that records messages and closes and does not reconnect
// within a test's lifetime. opts: authToken, params, origin, localAddress, headers, vsn.
export function phoenixClient(server, { authToken, params, origin, localAddress, headers, vsn } = {}) {
  class Transport extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols, { origin, localAddress, headers, handshakeTimeout: WAIT_MS });
    }
  }
  const socket = new Socket(server.socketBase, {
    transport: Transport,
    authToken,
    // These tests read the refusal's code and reason: the client asks for connect_error
    // (as sockguard's JS client does); without it the server answers plain HTTP.
    params: typeof params === 'function'
      ? () => ({ sockguard_refusal: 'connect_error', ...params() })
      : { sockguard_refusal: 'connect_error', ...params },
    vsn,
    timeout: WAIT_MS,
    reconnectAfterMs: () => 10 * 60 * 1000,
    rejoinAfterMs: () => 10 * 60 * 1000,
    heartbeatIntervalMs: 60 * 1000,
  });
  const client = { socket, messages: [], closes: [], errors: [], opened: false };
  let onOpen, onClose;
  client.openPromise = new Promise((r) => { onOpen = r; });
  client.closePromise = new Promise((r) => { onClose = r; });
  socket.onOpen(() => { client.opened = true; onOpen(); });
  socket.onClose((event) => {
    client.closes.push({ code: event.code, reason: event.reason });
    onClose({ code: event.code, reason: event.reason });
  });
  socket.onError((e) => client.errors.push(e));
  socket.onMessage((m) => client.messages.push(m));
  client.waitOpen = () => withTimeout(client.openPromise, WAIT_MS, 'phoenix client open');
  client.waitClose = () => withTimeout(client.closePromise, WAIT_MS, 'phoenix client close');
  client.join = (topic, payload = {}) => new Promise((resolve) => {
    const channel = socket.channel(topic, payload);
    channel.join(WAIT_MS)
      .receive('ok', (response) => resolve({ status: 'ok', response, channel }))
      .receive('error', (response) => resolve({ status: 'error', response, channel }))
      .receive('timeout', () => resolve({ status: 'timeout', channel }));
  });
  client.disconnect = () => new Promise((resolve) => {
    // The stock client keeps rejoin and push timers per channel: stop them all.
    for (const channel of socket.channels) {
      channel.rejoinTimer.reset();
      channel.joinPush.cancelTimeout();
    }
    try { socket.disconnect(() => resolve(), 1000); } catch { resolve(); }
    setTimeout(resolve, 1500).unref();
  });
  socket.connect();
  return client;
}

// Asserts a phoenix client was refused: connect_error seen by onMessage, close code+reason.
export async function expectPhoenixRefused(client, code, reason) {
  const close = await client.waitClose();
  const ce = client.messages.find((m) => m.topic === 'phoenix' && m.event === 'connect_error');
  assert.ok(ce, `no connect_error message, got ${JSON.stringify(client.messages)}`);
  assert.equal(ce.payload.code, code, JSON.stringify(ce.payload));
  assert.equal(ce.payload.reason, reason, JSON.stringify(ce.payload));
  assert.deepEqual(close, { code, reason });
  return ce.payload;
}

// Runs `fn(client)` with a phoenix client and always disconnects it.
export async function withPhoenix(server, opts, fn) {
  const client = phoenixClient(server, opts);
  try {
    return await fn(client);
  } finally {
    await client.disconnect();
  }
}
