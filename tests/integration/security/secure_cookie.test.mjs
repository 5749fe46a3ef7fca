// Secure session cookies (issue 10 §3). A request is secure when it came over TLS or a
// trusted proxy says so (X-Forwarded-Proto: https, or Forwarded: proto=https); then the
// session cookie is `__Host-sockguard_session`, Secure, Path=/, without Domain, and the
// ticket's socket_url says wss://. Each request reads only its own cookie name, and a
// name that appears twice is no session: a sibling subdomain that tosses its own session
// cookie in front of the victim's gets a refusal, not a victim signed in as the attacker.
// 127.0.0.1 plays the trusted proxy, 127.0.0.2 an untrusted peer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { request, socketUrl, acceptedRaw, refusedRaw } from './lib/clients.mjs';

const PASSWORD = 'correct horse battery staple';
const HTTPS = { 'X-Forwarded-Proto': 'https' };

function setCookies(res) { return [res.headers['set-cookie'] ?? []].flat(); }

async function register(server, email, { headers = {}, localAddress = '127.0.0.1' } = {}) {
  const res = await request('POST', `${server.http}/api/accounts/register`, {
    headers, localAddress, body: { email, password: PASSWORD },
  });
  assert.equal(res.status, 201, res.text);
  const [cookie] = setCookies(res);
  assert.ok(cookie, JSON.stringify(res.headers));
  return { id: res.json.id, csrf: res.json.csrf_token, setCookie: cookie, pair: cookie.split(';')[0] };
}

const me = (server, cookie, { headers = {}, localAddress = '127.0.0.1' } = {}) =>
  request('GET', `${server.http}/api/accounts/me`, { headers: { ...headers, Cookie: cookie }, localAddress });

describe('secure requests behind a trusted proxy', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-trusted-proxies': '127.0.0.1' } });
  });
  after(() => server?.stop());

  it('X-Forwarded-Proto: https from the proxy gives a __Host- cookie: Secure, Path=/, no Domain', async () => {
    const a = await register(server, 'secure@example.com', { headers: HTTPS });
    assert.match(a.setCookie, /^__Host-sockguard_session=[A-Za-z0-9_-]{43};/);
    const attrs = a.setCookie.split(';').map((s) => s.trim().toLowerCase());
    assert.ok(attrs.includes('secure'), a.setCookie);
    assert.ok(attrs.includes('path=/'), a.setCookie);
    assert.ok(attrs.includes('httponly'), a.setCookie);
    assert.ok(!attrs.some((x) => x.startsWith('domain')), a.setCookie);
    // The session works on secure requests...
    const ok = await me(server, a.pair, { headers: HTTPS });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.json.id, a.id);
    // ...and the ticket response points the socket at wss://.
    const ticket = await request('POST', `${server.http}/api/socket/ticket`, {
      headers: { ...HTTPS, Cookie: a.pair, 'X-CSRF-Token': a.csrf, Host: 'app.example.com' }, body: {},
    });
    assert.equal(ticket.status, 200, ticket.text);
    assert.equal(ticket.json.socket_url, 'wss://app.example.com/socket');
    // Logout deletes the same cookie.
    const out = await request('POST', `${server.http}/api/accounts/logout`, {
      headers: { ...HTTPS, Cookie: a.pair, 'X-CSRF-Token': a.csrf },
    });
    assert.equal(out.status, 200, out.text);
    assert.match(setCookies(out)[0], /^__Host-sockguard_session=;.*Max-Age=0/);
  });

  it('X-Forwarded-Proto from an untrusted peer is ignored: plain cookie, ws://', async () => {
    const a = await register(server, 'untrusted@example.com', { headers: HTTPS, localAddress: '127.0.0.2' });
    assert.match(a.setCookie, /^_sockguard_session=/);
    assert.ok(!/;\s*secure/i.test(a.setCookie), a.setCookie);
    const ticket = await request('POST', `${server.http}/api/socket/ticket`, {
      headers: { ...HTTPS, Cookie: a.pair, 'X-CSRF-Token': a.csrf, Host: 'app.example.com' }, body: {}, localAddress: '127.0.0.2',
    });
    assert.equal(ticket.status, 200, ticket.text);
    assert.equal(ticket.json.socket_url, 'ws://app.example.com/socket');
  });

  it('a secure request reads only the __Host- cookie, a plain one only the plain cookie', async () => {
    const secure = await register(server, 'only-host@example.com', { headers: HTTPS });
    const plain = await register(server, 'only-plain@example.com', { localAddress: '127.0.0.3' });
    const value = (c) => c.pair.split('=')[1];
    // The same values under the other name are not read.
    assert.equal((await me(server, `_sockguard_session=${value(secure)}`, { headers: HTTPS })).status, 401);
    assert.equal((await me(server, `__Host-sockguard_session=${value(plain)}`)).status, 401);
    assert.equal((await me(server, plain.pair)).status, 200);
    assert.equal((await me(server, secure.pair, { headers: HTTPS })).status, 200);
  });

  it('a cookie name that appears twice is no session (a sibling subdomain tossing its cookie in front)', async () => {
    // Plain requests from 127.0.0.4, 127.0.0.5 (registrations are limited per address).
    const victim = await register(server, 'victim@example.com', { localAddress: '127.0.0.4' });
    const attacker = await register(server, 'attacker@example.com', { localAddress: '127.0.0.5' });
    const tossed = `${attacker.pair}; ${victim.pair}`;
    const res = await me(server, tossed);
    assert.equal(res.status, 401, `read as ${res.text}`);
    // Nor can it mint a ticket with the attacker's session and CSRF token.
    const ticket = await request('POST', `${server.http}/api/socket/ticket`, {
      headers: { Cookie: tossed, 'X-CSRF-Token': attacker.csrf }, body: {},
    });
    assert.equal(ticket.status, 401, ticket.text);
    // Same on secure requests, for the __Host- name.
    const v2 = await register(server, 'victim2@example.com', { headers: HTTPS });
    const a2 = await register(server, 'attacker2@example.com', { headers: HTTPS });
    assert.equal((await me(server, `${a2.pair}; ${v2.pair}`, { headers: HTTPS })).status, 401);
    assert.equal((await me(server, v2.pair, { headers: HTTPS })).status, 200);
  });
});

describe('secure requests with auth.forwarded_header = forwarded', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-trusted-proxies': '127.0.0.1', '--auth-forwarded-header': 'forwarded' },
    });
  });
  after(() => server?.stop());

  it('Forwarded: proto=https is believed, X-Forwarded-Proto is not', async () => {
    const a = await register(server, 'fwd@example.com', { headers: { Forwarded: 'for=203.0.113.9;proto=https' } });
    assert.match(a.setCookie, /^__Host-sockguard_session=.*;\s*Secure/);
    const b = await register(server, 'xfp@example.com', { headers: { ...HTTPS, Forwarded: 'for=203.0.113.9;proto=http' } });
    assert.match(b.setCookie, /^_sockguard_session=/);
    assert.ok(!/;\s*secure/i.test(b.setCookie), b.setCookie);
  });
});

describe('app.cookie_secure = always', () => {
  it('marks the plain cookie Secure on plain requests', async () => {
    const server = await startServer({ flags: { '--app-cookie-secure': 'always' } });
    try {
      const a = await register(server, 'always@example.com');
      assert.match(a.setCookie, /^_sockguard_session=.*;\s*Secure/);
    } finally { await server.stop(); }
  });
});

// The WebSocket handshake reads the session cookie by the same rule as the HTTP API: behind
// an https proxy the __Host- cookie opens a cookie+CSRF socket, the plain one does not.
describe('cookie sockets behind a trusted https proxy', () => {
  let server;
  const ORIGIN = 'https://app.example.com';
  before(async () => {
    server = await startServer({ flags: { '--auth-trusted-proxies': '127.0.0.1', '--auth-allowed-origins': ORIGIN } });
  });
  after(() => server?.stop());

  it('a secure handshake finds the __Host- cookie; the plain cookie name is not read there', async () => {
    const a = await register(server, 'socket-secure@example.com', { headers: HTTPS });
    assert.match(a.pair, /^__Host-sockguard_session=/);
    const url = socketUrl(server, { _csrf_token: a.csrf });
    const conn = await acceptedRaw(url, { origin: ORIGIN, headers: { ...HTTPS, Cookie: a.pair } });
    try {
      assert.equal((await conn.join(`user_count:${a.id}`)).status, 'ok');
    } finally { await conn.close(); }
    // The same session id under the plain name, on a secure request: no session.
    const plain = a.pair.replace(/^__Host-sockguard_session=/, '_sockguard_session=');
    await refusedRaw(url, { origin: ORIGIN, headers: { ...HTTPS, Cookie: plain } }, 4401, 'missing_credentials');
  });
});
