// Origin policy (DESIGN §3): a handshake whose Origin is not allowed is refused before any
// credential is looked at; wildcards match subdomains only, with scheme and port exact;
// cookie authentication needs an allowed Origin and never works without one.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, postTicket, mintTicket, socketUrl, refusedRaw, acceptedRaw, bearerProtocol, request,
} from './lib/clients.mjs';

const APP = 'https://app.example.com';
const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: HS_SECRET });

async function register(server, email) {
  const res = await request('POST', `${server.http}/api/accounts/register`, {
    headers: { Origin: APP }, body: { email, password: 'correct horse battery staple' },
  });
  assert.equal(res.status, 201, res.text);
  const cookie = [res.headers['set-cookie']].flat().find((c) => c.startsWith('_sockguard_session='));
  assert.ok(cookie, JSON.stringify(res.headers));
  return { id: res.json.id, csrf: res.json.csrf_token, session: cookie.split(';')[0].split('=')[1] };
}

describe('origin policy, exact and wildcard', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': `${APP},https://*.example.com` },
    });
  });
  after(() => server?.stop());

  it('a foreign Origin is forbidden_origin even with a valid ticket, which stays unused', async () => {
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '1' } });
    for (const origin of ['https://evil.example', 'null', 'https://app.example.com.evil.net']) {
      await refusedRaw(socketUrl(server, { ticket }), { origin }, 4403, 'forbidden_origin');
    }
    // The ticket was not consumed: refused before credentials were looked at.
    const fromApp = await acceptedRaw(socketUrl(server, { ticket }), { origin: APP });
    await fromApp.close();
  });

  it('a foreign Origin is refused for every credential kind', async () => {
    const origin = 'https://evil.example';
    await refusedRaw(socketUrl(server), { origin, protocols: ['phoenix', bearerProtocol(jwtFor('1'))] }, 4403, 'forbidden_origin');
    await refusedRaw(socketUrl(server), { origin }, 4403, 'forbidden_origin');  // bare
    await refusedRaw(socketUrl(server, { _csrf_token: 'x' }), { origin, headers: { Cookie: '_sockguard_session=x' } },
      4403, 'forbidden_origin');
  });

  it('a ticket whose use was refused for its Origin then works without an Origin', async () => {
    const ticket = await mintTicket(server, { bearer: jwtFor('2') });
    await refusedRaw(socketUrl(server, { ticket }), { origin: 'https://evil.example' }, 4403, 'forbidden_origin');
    const conn = await acceptedRaw(socketUrl(server, { ticket }));
    await conn.close();
  });

  it('the wildcard allows subdomains at any depth', async () => {
    for (const origin of ['https://a.example.com', 'https://a.b.example.com', 'HTTPS://A.EXAMPLE.COM']) {
      const conn = await acceptedRaw(socketUrl(server), { origin, protocols: ['phoenix', bearerProtocol(jwtFor('3'))] });
      await conn.close();
    }
  });

  it('the wildcard refuses the apex, other schemes, ports and look-alike hosts', async () => {
    const refused = [
      'https://example.com', 'http://a.example.com', 'https://a.example.com.evil.net', 'https://a.example.com:8443',
      'https://evilexample.com', 'https://a.example.com@evil.net', 'https://a.example.com/', 'wss://a.example.com',
      'https://.example.com',
    ];
    for (const origin of refused) {
      await refusedRaw(socketUrl(server), { origin, protocols: ['phoenix', bearerProtocol(jwtFor('3'))] }, 4403, 'forbidden_origin');
    }
  });

  it('the ticket endpoint refuses a foreign Origin', async () => {
    const res = await postTicket(server, { bearer: jwtFor('4'), origin: 'https://evil.example' });
    assert.equal(res.status, 403);
    assert.equal(res.json.error, 'forbidden_origin');
    const key = await postTicket(server, { bearer: API_KEY, body: { user_id: '4' }, origin: 'https://example.com' });
    assert.equal(key.status, 403);
    assert.equal(key.json.error, 'forbidden_origin');
    const ok = await postTicket(server, { bearer: jwtFor('4'), origin: 'https://x.example.com' });
    assert.equal(ok.status, 200, ok.text);
  });

  it('cookie authentication without an Origin is forbidden_origin', async () => {
    await refusedRaw(socketUrl(server, { _csrf_token: 'y' }), { headers: { Cookie: '_sockguard_session=x' } }, 4403, 'forbidden_origin');
    // Even with a real session and its CSRF token.
    const account = await register(server, 'noorigin@example.com');
    await refusedRaw(socketUrl(server, { _csrf_token: account.csrf }),
      { headers: { Cookie: `_sockguard_session=${account.session}` } }, 4403, 'forbidden_origin');
  });

  it('cookie authentication works from an allowed Origin with the right CSRF token only', async () => {
    const account = await register(server, 'cookie@example.com');
    const cookie = { Cookie: `_sockguard_session=${account.session}` };
    const conn = await acceptedRaw(socketUrl(server, { _csrf_token: account.csrf }), { origin: APP, headers: cookie });
    try {
      assert.equal((await conn.join(`user_count:${account.id}`)).status, 'ok');
    } finally { await conn.close(); }
    await refusedRaw(socketUrl(server, { _csrf_token: `${account.csrf}x` }), { origin: APP, headers: cookie }, 4401, 'token_invalid');
    await refusedRaw(socketUrl(server, { _csrf_token: '' }), { origin: APP, headers: cookie }, 4401, 'token_invalid');
    await refusedRaw(socketUrl(server, { _csrf_token: account.csrf }), { origin: APP, headers: { Cookie: '_sockguard_session=nope' } },
      4401, 'token_invalid');
    await refusedRaw(socketUrl(server, { _csrf_token: account.csrf }), { origin: APP }, 4401, 'missing_credentials');
    // A cross-site page with the victim's cookie: foreign Origin.
    await refusedRaw(socketUrl(server, { _csrf_token: account.csrf }), { origin: 'https://evil.example', headers: cookie },
      4403, 'forbidden_origin');
  });

  it('the ticket endpoint wants the CSRF header with a session cookie', async () => {
    const account = await register(server, 'csrf@example.com');
    const cookie = `_sockguard_session=${account.session}`;
    const none = await postTicket(server, { headers: { Cookie: cookie }, origin: APP });
    assert.equal(none.status, 403);
    assert.equal(none.json.error, 'csrf_required');
    const wrong = await postTicket(server, { headers: { Cookie: cookie, 'X-CSRF-Token': 'nope' }, origin: APP });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.json.error, 'csrf_invalid');
    const ok = await postTicket(server, { headers: { Cookie: cookie, 'X-CSRF-Token': account.csrf }, origin: APP });
    assert.equal(ok.status, 200, ok.text);
    const conn = await acceptedRaw(socketUrl(server, { ticket: ok.json.ticket }), { origin: APP });
    try {
      assert.equal((await conn.join(`user_count:${account.id}`)).status, 'ok');
    } finally { await conn.close(); }
  });
});

describe('origin policy with no configured origins', () => {
  let server;
  before(async () => { server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET } }); });
  after(() => server?.stop());

  it("only the server's own page is allowed", async () => {
    const own = await acceptedRaw(socketUrl(server), { origin: server.http, protocols: ['phoenix', bearerProtocol(jwtFor('5'))] });
    await own.close();
    const local = await acceptedRaw(socketUrl(server), { origin: `http://localhost:${server.port}`, protocols: ['phoenix', bearerProtocol(jwtFor('5'))] });
    await local.close();
    await refusedRaw(socketUrl(server), { origin: 'https://evil.example', protocols: ['phoenix', bearerProtocol(jwtFor('5'))] },
      4403, 'forbidden_origin');
    await refusedRaw(socketUrl(server), { origin: `http://127.0.0.1:${server.port + 1}` }, 4403, 'forbidden_origin');
  });
});
