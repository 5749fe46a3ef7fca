// The stock phoenix client (1.8) forced onto its LongPoll transport, in node.
//
// In node there is no XMLHttpRequest, but there are fetch and AbortController, and the
// client's Ajax then uses `globalThis.fetch` (phoenix/assets/js/phoenix/ajax.js): no
// stand-in for XHR is needed. What node's fetch lacks is what a browser adds on its own
// and no page script can set: Origin on a cross-origin request, Sec-Fetch-Site. So every
// client made here gets an id in its params (`lpc`, logged as [REDACTED] like any unknown
// parameter), and one wrapper around globalThis.fetch adds that client's browser headers
// (and, behind a trusted proxy in the tests, its X-Forwarded-For) and records each request
// with its answer: `client.requests` = [{method, token (the session token), at, httpStatus, body}].
import { Socket, LongPoll } from 'phoenix';

const realFetch = globalThis.fetch;
const clients = new Map();
let nextId = 1;

globalThis.fetch = async (url, options = {}) => {
  const parsed = new URL(url);
  const client = clients.get(parsed.searchParams.get('lpc'));
  if (!client) return realFetch(url, options);
  // The session token (sockguard's start with "lp1."), not a JWT the client's own params hold.
  const token = parsed.searchParams.getAll('token').find((t) => t.startsWith('lp1.')) ?? null;
  const entry = { method: options.method ?? 'GET', token, at: Date.now() };
  client.requests.push(entry);
  const res = await realFetch(url, { ...options, headers: { ...(options.headers ?? {}), ...client.headers } });
  const text = await res.text();
  entry.httpStatus = res.status;
  try { entry.body = JSON.parse(text); } catch { entry.body = text; }
  for (const hook of client.onAnswer) hook(entry);
  return new Response(text, { status: res.status, headers: res.headers });
};

export { LongPoll };

// A stock Socket on LongPoll. `headers`: what the browser would add (mutable later through
// client.headers); `params`: the socket's params (object or function); other options go to
// the Socket as they are (the stock reconnect backoff unless given).
export function longPollClient(endPoint, { headers = {}, params = {}, ...opts } = {}) {
  const id = String(nextId++);
  const client = { id, headers: { ...headers }, requests: [], onAnswer: [], errors: [], messages: [] };
  const withId = typeof params === 'function' ? () => ({ ...params(), lpc: id }) : { ...params, lpc: id };
  client.socket = new Socket(endPoint, { transport: LongPoll, params: withId, ...opts });
  client.socket.onError((error) => client.errors.push({ error, at: Date.now() }));
  client.socket.onMessage((msg) => client.messages.push(msg));
  clients.set(id, client);
  client.forget = () => { client.socket.disconnect(); clients.delete(id); };
  return client;
}

// The same wrapper for a socket made elsewhere (the fallback test's WebSocket-first one).
export function trackedParams(params = {}) {
  const id = String(nextId++);
  const client = { id, headers: {}, requests: [], onAnswer: [], errors: [], messages: [] };
  clients.set(id, client);
  return { client, params: { ...params, lpc: id } };
}

// The requests that opened a session (a GET without a session token).
export const opens = (client) => client.requests.filter((r) => r.method === 'GET' && !r.token);

// One raw long-poll request (as a client other than the stock one would make it): the
// answer's HTTP status, headers and parsed body.
export async function lpRequest(base, { method = 'GET', params = {}, headers = {}, body } = {}) {
  const q = new URLSearchParams({ vsn: '2.0.0', ...params }).toString();
  const res = await realFetch(`${base}/socket/longpoll?${q}`, { method, headers, body });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { httpStatus: res.status, headers: res.headers, text, json };
}
