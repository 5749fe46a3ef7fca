// Client IP behind a proxy (issue 10 §2): `auth.forwarded_header` names the one header the
// trusted proxies write; every other forwarding header is the client's own and ignored.
// The attack: behind a proxy that writes RFC 7239 Forwarded and passes other headers
// through, a client sets its own X-Forwarded-For to pass the ticket's IP binding from
// another address (and to pick its bucket in every per-IP limit).
// 127.0.0.1 plays the trusted proxy; the forwarded addresses are documentation ranges.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, HS_SECRET } from './lib/server.mjs';
import { signJwt, nowS, mintTicket, socketUrl, refusedRaw, acceptedRaw } from './lib/clients.mjs';

const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: HS_SECRET });
const PROXY = '127.0.0.1';
const VICTIM = '203.0.113.9';
const ATTACKER = '198.51.100.66';

describe('auth.forwarded_header = forwarded', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-trusted-proxies': PROXY, '--auth-forwarded-header': 'forwarded' },
    });
  });
  after(() => server?.stop());

  it("a client's own X-Forwarded-For does not pass a ticket bound to another address", async () => {
    // The victim's ticket, minted through the proxy, is bound to the victim's address.
    const ticket = await mintTicket(server, { bearer: jwtFor('41'), headers: { Forwarded: `for=${VICTIM}` }, localAddress: PROXY });
    // The attacker (who got hold of it) connects through the same proxy, which writes the
    // attacker's real address in Forwarded and passes the attacker's X-Forwarded-For on.
    await refusedRaw(socketUrl(server, { ticket }), {
      localAddress: PROXY, headers: { 'X-Forwarded-For': VICTIM, Forwarded: `for=${ATTACKER}` },
    }, 4401, 'binding_mismatch');
    // X-Real-IP is ignored too.
    const t2 = await mintTicket(server, { bearer: jwtFor('41'), headers: { Forwarded: `for=${VICTIM}` }, localAddress: PROXY });
    await refusedRaw(socketUrl(server, { ticket: t2 }), {
      localAddress: PROXY, headers: { 'X-Real-IP': VICTIM, Forwarded: `for=${ATTACKER}` },
    }, 4401, 'binding_mismatch');
  });

  it('the address the proxy wrote in Forwarded is the client', async () => {
    const ticket = await mintTicket(server, { bearer: jwtFor('42'), headers: { Forwarded: `for=${VICTIM}` }, localAddress: PROXY });
    const conn = await acceptedRaw(socketUrl(server, { ticket }), {
      localAddress: PROXY, headers: { 'X-Forwarded-For': ATTACKER, Forwarded: `for=${VICTIM};proto=https` },
    });
    await conn.close();
  });

  it('a client cannot prepend its own Forwarded element', async () => {
    // The attacker writes "for=VICTIM"; the proxy appends the attacker's real address.
    const chain = { Forwarded: `for=${VICTIM}, for=${ATTACKER}` };
    const victims = await mintTicket(server, { bearer: jwtFor('43'), headers: { Forwarded: `for=${VICTIM}` }, localAddress: PROXY });
    await refusedRaw(socketUrl(server, { ticket: victims }), { localAddress: PROXY, headers: chain }, 4401, 'binding_mismatch');
    const attackers = await mintTicket(server, { bearer: jwtFor('43'), headers: { Forwarded: `for=${ATTACKER}` }, localAddress: PROXY });
    const conn = await acceptedRaw(socketUrl(server, { ticket: attackers }), { localAddress: PROXY, headers: chain });
    await conn.close();
  });
});

describe('auth.forwarded_header = x-forwarded-for (the default)', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-trusted-proxies': PROXY } });
  });
  after(() => server?.stop());

  it('Forwarded and X-Real-IP written by the client are ignored', async () => {
    // A refused ticket is spent: each attempt gets a fresh one, bound to the victim.
    const victims = () => mintTicket(server, { bearer: jwtFor('44'), headers: { 'X-Forwarded-For': VICTIM }, localAddress: PROXY });
    for (const header of [{ Forwarded: `for=${VICTIM}` }, { 'X-Real-IP': VICTIM }]) {
      // The proxy wrote the attacker's address in X-Forwarded-For.
      await refusedRaw(socketUrl(server, { ticket: await victims() }), {
        localAddress: PROXY, headers: { ...header, 'X-Forwarded-For': ATTACKER },
      }, 4401, 'binding_mismatch');
    }
    const conn = await acceptedRaw(socketUrl(server, { ticket: await victims() }), {
      localAddress: PROXY, headers: { Forwarded: `for=${ATTACKER}`, 'X-Real-IP': ATTACKER, 'X-Forwarded-For': VICTIM },
    });
    await conn.close();
  });
});

describe('auth.forwarded_header = x-real-ip', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-trusted-proxies': PROXY, '--auth-forwarded-header': 'x-real-ip' },
    });
  });
  after(() => server?.stop());

  it('only X-Real-IP names the client', async () => {
    const victims = () => mintTicket(server, { bearer: jwtFor('45'), headers: { 'X-Real-IP': VICTIM }, localAddress: PROXY });
    await refusedRaw(socketUrl(server, { ticket: await victims() }), {
      localAddress: PROXY, headers: { 'X-Forwarded-For': VICTIM, 'X-Real-IP': ATTACKER },
    }, 4401, 'binding_mismatch');
    const conn = await acceptedRaw(socketUrl(server, { ticket: await victims() }), {
      localAddress: PROXY, headers: { 'X-Forwarded-For': ATTACKER, 'X-Real-IP': VICTIM },
    });
    await conn.close();
  });
});

describe('auth.forwarded_header is validated', () => {
  it('an unknown header stops the start, naming the key', async () => {
    await assert.rejects(startServer({ flags: { '--auth-forwarded-header': 'x-client-ip' } }), /forwarded-header: expected one of/);
  });
});
