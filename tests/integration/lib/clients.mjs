// Clients for integration tests: the official phoenix client over `ws`, and a raw `ws`
// client that records every message and the close event.
import { Socket } from 'phoenix';
import WebSocket from 'ws';

export const WAIT_MS = 5000;

// Rejects after ms with a message naming what was awaited.
export function withTimeout(promise, ms = WAIT_MS, what = 'operation') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// For clients that record what arrives: resolves with the first value check() returns
// (undefined: not yet), rejects with what it throws, and runs it again each time the
// owner calls the functions in `waiters`. Rejects after ms, naming what and detail().
export function waitOn(waiters, check, { ms = WAIT_MS, what = 'message', detail = () => '' } = {}) {
  return new Promise((resolve, reject) => {
    const finish = (fn, value) => {
      clearTimeout(timer);
      waiters.delete(run);
      fn(value);
    };
    const run = () => {
      let value;
      try {
        value = check();
      } catch (e) {
        return finish(reject, e);
      }
      return value === undefined ? undefined : finish(resolve, value);
    };
    const timeout = () => finish(reject, new Error(`timed out after ${ms} ms waiting for ${what}${detail()}`));
    const timer = setTimeout(timeout, ms);
    waiters.add(run);
    run();
  });
}

// Polls fn until it returns a truthy value (returned) or the time is up.
export async function eventually(fn, { timeoutMs = WAIT_MS, intervalMs = 25, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await delay(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------
// Official phoenix client

// A connected phoenix Socket on server, with quick reconnects so tests stay short.
export function phoenixSocket(server, opts = {}) {
  const socket = new Socket(server.socketUrl, {
    transport: WebSocket,
    reconnectAfterMs: () => 100,
    rejoinAfterMs: () => 100,
    timeout: WAIT_MS,
    ...opts,
  });
  socket.connect();
  return socket;
}

// Resolves once the socket is open.
export function socketOpen(socket, ms = WAIT_MS) {
  if (socket.isConnected()) return Promise.resolve();
  return withTimeout(new Promise((resolve) => {
    const ref = socket.onOpen(() => {
      socket.off([ref]);
      resolve();
    });
  }), ms, 'socket open');
}

// Waits for the reply of a Push: {status: "ok"|"error"|"timeout", response}.
export function receive(push, ms = WAIT_MS, what = 'push reply') {
  return withTimeout(new Promise((resolve) => {
    push.receive('ok', (response) => resolve({ status: 'ok', response }))
      .receive('error', (response) => resolve({ status: 'error', response }))
      .receive('timeout', () => resolve({ status: 'timeout' }));
  }), ms + 500, what);
}

// Joins a channel and returns the join reply ({status, response}).
export function join(channel, ms = WAIT_MS) {
  return receive(channel.join(ms), ms, `join of ${channel.topic}`);
}

// Resolves with the payload of the next `event` on channel.
export function nextEvent(channel, event, ms = WAIT_MS) {
  return withTimeout(new Promise((resolve) => {
    const ref = channel.on(event, (payload) => {
      channel.off(event, ref);
      resolve(payload);
    });
  }), ms, `event ${event} on ${channel.topic}`);
}

export function disconnect(socket, ms = WAIT_MS) {
  return withTimeout(new Promise((resolve) => socket.disconnect(resolve)), ms, 'socket disconnect');
}

// ---------------------------------------------------------------------------------------
// Raw ws client

// Records every message (text parsed as JSON when it parses, binary as Buffer) and the
// close event. `await client.opened`, `await client.closed` -> {code, reason}.
export class RawClient {
  constructor(url, { protocols, headers, ...options } = {}) {
    this.url = url;
    this.messages = [];
    this.closeEvent = null;
    this.error = null;
    this.waiters = new Set();
    this.ws = new WebSocket(url, protocols, { headers, ...options });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`unexpected HTTP ${res.statusCode}`)));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closeEvent = { code, reason: reason.toString() };
        resolve(this.closeEvent);
        this.notify();
      });
    });
    this.ws.on('error', (e) => { this.error = e; });
    this.ws.on('message', (data, isBinary) => {
      let msg;
      if (isBinary) {
        msg = { binary: true, data: Buffer.from(data) };
      } else {
        const text = data.toString();
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        msg = { binary: false, text, json };
      }
      this.messages.push(msg);
      this.notify();
    });
  }

  static async open(url, options) {
    const client = new RawClient(url, options);
    await withTimeout(client.opened, WAIT_MS, `ws open ${url}`);
    return client;
  }

  notify() {
    for (const w of this.waiters) w();
  }

  // The parsed JSON of text messages received so far.
  get json() {
    return this.messages.filter((m) => !m.binary).map((m) => m.json);
  }

  send(data) {
    this.ws.send(typeof data === 'string' || Buffer.isBuffer(data) || data instanceof ArrayBuffer || ArrayBuffer.isView(data)
      ? data
      : JSON.stringify(data));
  }

  // Resolves with the first message (from index `from`) for which pred(msg) holds;
  // rejects if the socket closes first or after ms.
  waitFor(pred, { ms = WAIT_MS, from = 0, what = 'message' } = {}) {
    let index = from;
    return waitOn(this.waiters, () => {
      for (; index < this.messages.length; index++) {
        if (pred(this.messages[index])) return this.messages[index];
      }
      if (this.closeEvent) {
        const got = JSON.stringify(this.messages.map((x) => x.text ?? '<binary>'));
        throw new Error(`socket closed (${this.closeEvent.code} ${this.closeEvent.reason}) before ${what}; got ${got}`);
      }
      return undefined;
    }, { ms, what });
  }

  // Waits for the V2 reply to ref (text messages).
  waitForReply(ref, opts = {}) {
    return this.waitFor((m) => Array.isArray(m.json) && m.json[3] === 'phx_reply' && m.json[1] === ref,
      { what: `phx_reply to ref ${ref}`, ...opts }).then((m) => m.json);
  }

  // Waits for a V2 message with the given topic and event.
  waitForEvent(topic, event, opts = {}) {
    return this.waitFor((m) => Array.isArray(m.json) && m.json[2] === topic && m.json[3] === event,
      { what: `${event} on ${topic}`, ...opts }).then((m) => m.json);
  }

  // Sends a V2 message and waits for its reply.
  async request(joinRef, ref, topic, event, payload = {}) {
    this.send([joinRef, ref, topic, event, payload]);
    return this.waitForReply(ref);
  }

  waitClosed(ms = WAIT_MS) {
    return withTimeout(this.closed, ms, `close of ${this.url}`);
  }

  close(code, reason) {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) {
      try { this.ws.close(code, reason); } catch { this.ws.terminate(); }
    }
  }

  terminate() {
    this.ws.terminate();
  }
}

// A raw client that joined `topic` (join_ref = ref = "1"), V2 unless params say otherwise.
export async function rawJoined(server, topic = 'room:lobby', params = { vsn: '2.0.0' }) {
  const client = await RawClient.open(server.wsUrl(params));
  if (params.vsn === '2.0.0') {
    const reply = await client.request('1', '1', topic, 'phx_join', {});
    if (reply[4].status !== 'ok') throw new Error(`join of ${topic} failed: ${JSON.stringify(reply)}`);
  } else {
    client.send({ topic, event: 'phx_join', payload: {}, ref: '1' });
    const reply = await client.waitFor((m) => m.json?.event === 'phx_reply' && m.json.ref === '1', { what: 'V1 join reply' });
    if (reply.json.payload.status !== 'ok') throw new Error(`join of ${topic} failed: ${reply.text}`);
  }
  return client;
}

// Sanity check used after misbehaving clients: a fresh client joins and gets a ping answered.
export async function assertHealthy(server, assert) {
  const client = await rawJoined(server, 'room:health');
  try {
    const reply = await client.request('1', '2', 'room:health', 'ping', { ok: true });
    assert.deepEqual(reply, ['1', '2', 'room:health', 'phx_reply', { status: 'ok', response: { ok: true } }]);
  } finally {
    client.close();
  }
}
