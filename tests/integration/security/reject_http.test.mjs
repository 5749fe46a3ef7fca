// auth.reject_with = "http": refusals are plain HTTP statuses instead of 101 + connect_error.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import { signJwt, nowS, socketUrl, openRaw, acceptedRaw, bearerProtocol, mintTicket } from './lib/clients.mjs';

const APP = 'https://app.example.com';

async function httpRefused(url, opts, status, error) {
  const conn = openRaw(url, opts);
  await conn.waitClose();
  assert.ok(conn.httpRefusal, `expected an HTTP refusal, got messages ${JSON.stringify(conn.messages)}`);
  assert.equal(conn.httpRefusal.status, status);
  assert.equal(conn.httpRefusal.json?.error, error, conn.httpRefusal.text);
  assert.equal(conn.messages.length, 0);
  return conn.httpRefusal;
}

describe('reject_with http', () => {
  let server;
  before(async () => {
    server = await startServer({
      flags: { '--auth-jwt-secret': HS_SECRET, '--auth-reject-with': 'http', '--auth-allowed-origins': APP },
    });
  });
  after(() => server?.stop());

  it('a bad ticket is HTTP 401 token_invalid', async () => {
    await httpRefused(socketUrl(server, { ticket: crypto.randomBytes(32).toString('base64url') }), {}, 401, 'token_invalid');
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '1' } });
    const ok = await acceptedRaw(socketUrl(server, { ticket }));
    await ok.close();
    await httpRefused(socketUrl(server, { ticket }), {}, 401, 'token_invalid');
  });

  it('a foreign Origin is HTTP 403 forbidden_origin', async () => {
    await httpRefused(socketUrl(server), { origin: 'https://evil.example' }, 403, 'forbidden_origin');
    const token = signJwt({ sub: '1', exp: nowS() + 60 }, { key: HS_SECRET });
    await httpRefused(socketUrl(server), { origin: 'https://evil.example', protocols: ['phoenix', bearerProtocol(token)] },
      403, 'forbidden_origin');
  });

  it('an expired JWT is HTTP 401 token_expired, a binding mismatch 401 binding_mismatch', async () => {
    const expired = signJwt({ sub: '1', iat: nowS() - 600, exp: nowS() - 120 }, { key: HS_SECRET });
    await httpRefused(socketUrl(server), { protocols: ['phoenix', bearerProtocol(expired)] }, 401, 'token_expired');
    const ticket = await mintTicket(server, { bearer: API_KEY, body: { user_id: '1', client_ip: '192.0.2.1' } });
    await httpRefused(socketUrl(server, { ticket }), {}, 401, 'binding_mismatch');
  });

  it('a bad vsn is HTTP 400', async () => {
    await httpRefused(socketUrl(server, {}, '9.9.9'), {}, 400, 'bad_request');
  });
});
