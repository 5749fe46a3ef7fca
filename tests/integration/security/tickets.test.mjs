// One-time tickets (DESIGN §3): minting with each kind of caller, one use only (also under
// 50 concurrent presentations), expiry, forgery, and the IP and Origin bindings, with and
// without trusted proxies.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, postTicket, mintTicket, socketUrl, openRaw, refusedRaw, acceptedRaw, expectRefused, sleep,
} from './lib/clients.mjs';

const ORIGIN_A = 'https://a.example.test';
const ORIGIN_B = 'https://b.example.test';
const TICKET_RE = /^[A-Za-z0-9_-]{43}$/;

const jwtFor = (sub, extra = {}) => signJwt({ sub, iat: nowS(), exp: nowS() + 600, ...extra }, { key: HS_SECRET });

describe('tickets', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': `${ORIGIN_A},${ORIGIN_B}` } });
  });
  after(() => server?.stop());

  it('mints a ticket for a Bearer JWT', async () => {
    const res = await postTicket(server, { bearer: jwtFor('5') });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.ticket, TICKET_RE);
    assert.equal(res.json.expires_in, 10);
    assert.equal(res.json.socket_url, `ws://127.0.0.1:${server.port}/socket`);
  });

  it('mints a ticket for a server API key naming the user, usable for that user', async () => {
    const res = await postTicket(server, { bearer: API_KEY, body: { user_id: '7' } });
    assert.equal(res.status, 200, res.text);
    assert.match(res.json.ticket, TICKET_RE);
    const conn = await acceptedRaw(socketUrl(server, { ticket: res.json.ticket }));
    try {
      assert.equal((await conn.join('user_count:7')).status, 'ok');
      assert.deepEqual((await conn.join('user_count:8')).response, { reason: 'unauthorized' });
    } finally { await conn.close(); }
  });

  it('refuses to mint without credentials, or with bad ones', async () => {
    const none = await postTicket(server, {});
    assert.equal(none.status, 401);
    assert.equal(none.json.error, 'missing_credentials');
    const wrongKey = await postTicket(server, { bearer: `${API_KEY}x`, body: { user_id: '7' } });
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongKey.json.error, 'token_invalid');
    const noUser = await postTicket(server, { bearer: API_KEY, body: {} });
    assert.equal(noUser.status, 400);
    const basic = await postTicket(server, { headers: { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    assert.equal(basic.status, 401);
    assert.equal(basic.json.error, 'missing_credentials');
  });

  it('a ticket works once; a replay is token_invalid', async () => {
    const ticket = await mintTicket(server, { bearer: jwtFor('11') });
    const first = await acceptedRaw(socketUrl(server, { ticket }));
    try {
      assert.equal((await first.join('user_count:11')).status, 'ok');
    } finally { await first.close(); }
    await refusedRaw(socketUrl(server, { ticket }), {}, 4401, 'token_invalid');
    // Nor through the other channels a ticket may ride in.
    const again = openRaw(socketUrl(server), { protocols: ['phoenix', `base64url.bearer.phx.${Buffer.from(ticket).toString('base64').replace(/=/g, '')}`] });
    await expectRefused(again, 4401, 'token_invalid');
    await again.close();
  });

  it('of 50 concurrent presentations of one ticket exactly one is accepted', async () => {
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '12' } });
    const conns = Array.from({ length: 50 }, () => openRaw(socketUrl(server, { ticket })));
    try {
      const outcomes = await Promise.all(conns.map((c) => c.outcome()));
      const accepted = outcomes.filter((o) => o.accepted);
      const refused = outcomes.filter((o) => !o.accepted);
      assert.equal(accepted.length, 1, JSON.stringify(outcomes.map((o) => o.accepted)));
      assert.equal(refused.length, 49);
      for (const o of refused) {
        assert.equal(o.connectError.code, 4401);
        assert.equal(o.connectError.reason, 'token_invalid');
        assert.deepEqual(o.close, { code: 4401, reason: 'token_invalid' });
      }
    } finally {
      await Promise.all(conns.map((c) => c.close()));
    }
  });

  it('a forged or unknown ticket of the right shape is token_invalid', async () => {
    const forged = crypto.randomBytes(32).toString('base64url');
    assert.match(forged, TICKET_RE);
    await refusedRaw(socketUrl(server, { ticket: forged }), {}, 4401, 'token_invalid');
    // A real ticket with one character changed.
    const real = await mintTicket(server, { bearer: jwtFor('13') });
    const flipped = (real[0] === 'A' ? 'B' : 'A') + real.slice(1);
    await refusedRaw(socketUrl(server, { ticket: flipped }), {}, 4401, 'token_invalid');
    // Wrong shapes.
    for (const bad of ['', 'x', real.slice(0, 42), `${real}A`, `${real.slice(0, 42)}=`]) {
      await refusedRaw(socketUrl(server, { ticket: bad }), {}, 4401, 'token_invalid');
    }
    // The untouched real ticket was not consumed by its forged neighbour.
    const ok = await acceptedRaw(socketUrl(server, { ticket: real }));
    await ok.close();
  });

  it('a ticket is bound to the client IP it was minted for', async () => {
    const ticket = await mintTicket(server, { bearer: jwtFor('14'), localAddress: '127.0.0.1' });
    await refusedRaw(socketUrl(server, { ticket }), { localAddress: '127.0.0.2' }, 4401, 'binding_mismatch');
    // Consumed by the failed attempt: the rightful IP cannot use it afterwards either.
    await refusedRaw(socketUrl(server, { ticket }), { localAddress: '127.0.0.1' }, 4401, 'token_invalid');
    // The same flow from one address works.
    const good = await mintTicket(server, { bearer: jwtFor('14'), localAddress: '127.0.0.2' });
    const conn = await acceptedRaw(socketUrl(server, { ticket: good }), { localAddress: '127.0.0.2' });
    await conn.close();
  });

  it('a backend ticket is bound to the client_ip the backend names', async () => {
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '15', client_ip: '127.0.0.2' } });
    await refusedRaw(socketUrl(server, { ticket }), { localAddress: '127.0.0.1' }, 4401, 'binding_mismatch');
    const ok = await mintTicket(server, { bearer: API_KEY, body: { user_id: '15', client_ip: '127.0.0.2' } });
    const conn = await acceptedRaw(socketUrl(server, { ticket: ok }), { localAddress: '127.0.0.2' });
    await conn.close();
  });

  it('a ticket is bound to the Origin of the request that minted it', async () => {
    const ticket = await mintTicket(server, { bearer: jwtFor('16'), origin: ORIGIN_A });
    await refusedRaw(socketUrl(server, { ticket }), { origin: ORIGIN_B }, 4401, 'binding_mismatch');
    const same = await mintTicket(server, { bearer: jwtFor('16'), origin: ORIGIN_A });
    const conn = await acceptedRaw(socketUrl(server, { ticket: same }), { origin: ORIGIN_A });
    await conn.close();
    // A backend-named origin binds the same way.
    const backend = await mintTicket(server, { bearer: API_KEY, body: { user_id: '16', origin: ORIGIN_B } });
    await refusedRaw(socketUrl(server, { ticket: backend }), { origin: ORIGIN_A }, 4401, 'binding_mismatch');
  });

  it('X-Forwarded-For from an untrusted peer is ignored, on minting and on connecting', async () => {
    // Minted from 127.0.0.1, presented from 127.0.0.1 with a spoofed XFF: still 127.0.0.1.
    const t1 = await mintTicket(server, { bearer: jwtFor('17'), localAddress: '127.0.0.1' });
    const c1 = await acceptedRaw(socketUrl(server, { ticket: t1 }),
      { localAddress: '127.0.0.1', headers: { 'X-Forwarded-For': '203.0.113.9', Forwarded: 'for=203.0.113.9' } });
    await c1.close();
    // Minted with a spoofed XFF naming 127.0.0.2, presented from 127.0.0.2: the ticket holds 127.0.0.1.
    const t2 = await mintTicket(server, { bearer: jwtFor('17'), localAddress: '127.0.0.1', headers: { 'X-Forwarded-For': '127.0.0.2' } });
    await refusedRaw(socketUrl(server, { ticket: t2 }), { localAddress: '127.0.0.2' }, 4401, 'binding_mismatch');
  });
});

describe('tickets behind a trusted proxy', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-trusted-proxies': '127.0.0.1' } });
  });
  after(() => server?.stop());

  it('binds to the forwarded client address', async () => {
    const xff = { 'X-Forwarded-For': '203.0.113.9' };
    const ticket = await mintTicket(server, { bearer: jwtFor('21'), headers: xff, localAddress: '127.0.0.1' });
    const conn = await acceptedRaw(socketUrl(server, { ticket }), { headers: xff, localAddress: '127.0.0.1' });
    await conn.close();
  });

  it('a socket forwarded for another client than the ticket is binding_mismatch', async () => {
    const ticket = await mintTicket(server, { bearer: jwtFor('22'), localAddress: '127.0.0.1' });
    await refusedRaw(socketUrl(server, { ticket }), { headers: { 'X-Forwarded-For': '203.0.113.9' }, localAddress: '127.0.0.1' },
      4401, 'binding_mismatch');
    const t2 = await mintTicket(server, { bearer: jwtFor('22'), headers: { 'X-Forwarded-For': '203.0.113.9' } });
    await refusedRaw(socketUrl(server, { ticket: t2 }), { headers: { 'X-Forwarded-For': '203.0.113.10' } }, 4401, 'binding_mismatch');
  });

  it('a client cannot prepend its own address to the chain', async () => {
    // The client writes "198.51.100.7"; the proxy (127.0.0.1) appends the real 203.0.113.9.
    const ticket = await mintTicket(server, { bearer: jwtFor('23'), headers: { 'X-Forwarded-For': '203.0.113.9' } });
    const conn = await acceptedRaw(socketUrl(server, { ticket }), { headers: { 'X-Forwarded-For': '198.51.100.7, 203.0.113.9' } });
    await conn.close();
    const t2 = await mintTicket(server, { bearer: jwtFor('23'), headers: { 'X-Forwarded-For': '198.51.100.7' } });
    await refusedRaw(socketUrl(server, { ticket: t2 }), { headers: { 'X-Forwarded-For': '198.51.100.7, 203.0.113.9' } },
      4401, 'binding_mismatch');
  });

  it('headers from a peer that is not a trusted proxy are ignored', async () => {
    // 127.0.0.2 is not trusted: its XFF is ignored, so the ticket is bound to 127.0.0.2.
    const xff = { 'X-Forwarded-For': '203.0.113.9' };
    const ticket = await mintTicket(server, { bearer: jwtFor('24'), headers: xff, localAddress: '127.0.0.2' });
    await refusedRaw(socketUrl(server, { ticket }), { headers: xff, localAddress: '127.0.0.1' }, 4401, 'binding_mismatch');
  });
});

describe('ticket expiry', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-ticket-ttl-s': '1' } });
  });
  after(() => server?.stop());

  it('an expired ticket is token_expired', async () => {
    const res = await postTicket(server, { bearer: jwtFor('31') });
    const answeredAt = Date.now();  // the ticket was minted before this: it expires before answeredAt + 1 s
    assert.equal(res.status, 200);
    assert.equal(res.json.expires_in, 1);
    // Presenting it early would spend it, so wait once, just past the 1 s TTL.
    await sleep(answeredAt + 1000 + 50 - Date.now());
    await refusedRaw(socketUrl(server, { ticket: res.json.ticket }), {}, 4401, 'token_expired');
  });
});
