// A full ticket store (issue 10 §4, in part): the next mint is 503 server_busy with
// Retry-After, never a 401; one-time JWT ids are marked in a store of their own, so a
// fresh jti token is still accepted meanwhile (it used to read as "already used",
// token_invalid), and its replay is still refused.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, postTicket, mintTicket, socketUrl, acceptedRaw, refusedRaw, bearerProtocol,
} from './lib/clients.mjs';

const STORE_MAX = 3;
const jwtFor = (sub, extra = {}) => signJwt({ sub, iat: nowS(), exp: nowS() + 600, ...extra }, { key: HS_SECRET });
const viaProtocol = (token) => ({ protocols: ['phoenix', bearerProtocol(token)] });

function expectBusy(res) {
  assert.equal(res.status, 503, res.text);
  assert.equal(res.json.error, 'server_busy');
  assert.ok(Number(res.headers['retry-after']) > 0, JSON.stringify(res.headers));
}

describe('full ticket store', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-ticket-store-max': String(STORE_MAX) },
    });
  });
  after(() => server?.stop());

  it('mints answer 503 server_busy; one-time JWTs keep working; a redeemed ticket frees a place', async () => {
    const held = [];
    for (let i = 0; i < STORE_MAX; i++) held.push(await mintTicket(server, { bearer: API_KEY, body: { user_id: '91' } }));
    // Full: for every kind of caller, busy, never a verdict on the credential.
    expectBusy(await postTicket(server, { bearer: API_KEY, body: { user_id: '92' } }));
    expectBusy(await postTicket(server, { bearer: jwtFor('92') }));
    expectBusy(await postTicket(server, { bearer: jwtFor('92', { jti: 'mint-while-full' }) }));

    // A fresh one-time token is accepted meanwhile, once.
    const oneTime = jwtFor('93', { jti: 'socket-while-full' });
    const conn = await acceptedRaw(socketUrl(server), viaProtocol(oneTime));
    try {
      assert.equal((await conn.join('user_count:93')).status, 'ok');
    } finally { await conn.close(); }
    await refusedRaw(socketUrl(server), viaProtocol(oneTime), 4401, 'token_invalid');

    // The tickets held still work, and using one makes room for the next mint.
    await (await acceptedRaw(socketUrl(server, { ticket: held[0] }))).close();
    const next = await mintTicket(server, { bearer: API_KEY, body: { user_id: '92' } });
    await (await acceptedRaw(socketUrl(server, { ticket: next }))).close();
  });
});
