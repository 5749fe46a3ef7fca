// A ticket minted with an Origin is good only from that Origin (issue 10 §5): presented
// without any Origin (a non-browser client that stole it from a page) it is
// binding_mismatch, as from another allowed Origin; a ticket minted without an Origin is
// not bound to one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import { signJwt, nowS, mintTicket, socketUrl, refusedRaw, acceptedRaw } from './lib/clients.mjs';
import { register, sessionTicketHeaders } from './lib/accounts.mjs';

const APP = 'https://app.example.com';
const OTHER = 'https://other.example.com';
const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: HS_SECRET });

describe('ticket Origin binding', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': `${APP},${OTHER}` } });
  });
  after(() => server?.stop());

  it('a ticket minted with an Origin and presented with none is binding_mismatch, and spent', async () => {
    const ticket = await mintTicket(server, { bearer: jwtFor('71'), origin: APP });
    await refusedRaw(socketUrl(server, { ticket }), {}, 4401, 'binding_mismatch');
    // Refused, it is still used up: the page it belonged to cannot use it either.
    await refusedRaw(socketUrl(server, { ticket }), { origin: APP }, 4401, 'token_invalid');
  });

  it('the same for a ticket of a cookie session', async () => {
    const session = await register(server, 'origin-binding@example.com', APP);
    const ticket = await mintTicket(server, { origin: APP, headers: sessionTicketHeaders(session) });
    await refusedRaw(socketUrl(server, { ticket }), {}, 4401, 'binding_mismatch');
  });

  it('from another allowed Origin it is binding_mismatch; from its own it is accepted', async () => {
    const foreign = await mintTicket(server, { bearer: jwtFor('72'), origin: APP });
    await refusedRaw(socketUrl(server, { ticket: foreign }), { origin: OTHER }, 4401, 'binding_mismatch');
    const own = await mintTicket(server, { bearer: jwtFor('72'), origin: APP });
    const conn = await acceptedRaw(socketUrl(server, { ticket: own }), { origin: APP });
    try {
      assert.equal((await conn.join('user_count:72')).status, 'ok');
    } finally { await conn.close(); }
  });

  it('a ticket minted without an Origin works with or without one', async () => {
    const plain = await mintTicket(server, { bearer: jwtFor('73') });
    await (await acceptedRaw(socketUrl(server, { ticket: plain }))).close();
    const fromPage = await mintTicket(server, { bearer: API_KEY, body: { user_id: '73' } });
    await (await acceptedRaw(socketUrl(server, { ticket: fromPage }), { origin: APP })).close();
  });
});
