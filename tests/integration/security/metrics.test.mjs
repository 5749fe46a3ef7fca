// Every refusal is counted in /metrics by reason (DESIGN §4), exactly.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, socketUrl, openRaw, refusedRaw, expectRefused, bearerProtocol, mintTicket, request, acceptedRaw,
} from './lib/clients.mjs';

function counter(text, reason, code) {
  const line = text.split('\n').find((l) => l.startsWith(`sockguard_refusals_total{reason="${reason}",code="${code}"} `));
  assert.ok(line, `no refusal line for ${reason}:\n${text}`);
  return Number(line.split(' ').pop());
}

describe('refusal metrics', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': 'https://app.example.com' } });
  });
  after(() => server?.stop());

  it('counts refusals by reason, exactly', async () => {
    const before = (await request('GET', `${server.http}/metrics`)).text;
    for (const [reason, code] of [['token_invalid', 4401], ['token_expired', 4401], ['forbidden_origin', 4403],
      ['binding_mismatch', 4401], ['missing_credentials', 4401], ['bad_request', 4400]]) {
      assert.equal(counter(before, reason, code), 0, reason);
    }

    // Three token_invalid: a forged ticket, a forged JWT, and a forged first-message auth.
    await refusedRaw(socketUrl(server, { ticket: crypto.randomBytes(32).toString('base64url') }), {}, 4401, 'token_invalid');
    await refusedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol('a.b.c')] }, 4401, 'token_invalid');
    const bare = openRaw(socketUrl(server));
    await bare.opened;
    bare.send([null, '1', 'phoenix', 'auth', { token: 'forged' }]);
    await expectRefused(bare, 4401, 'token_invalid');
    // Two forbidden_origin, one token_expired, one binding_mismatch, one bad_request.
    await refusedRaw(socketUrl(server), { origin: 'https://evil.example' }, 4403, 'forbidden_origin');
    await refusedRaw(socketUrl(server), { origin: 'null' }, 4403, 'forbidden_origin');
    const expired = signJwt({ sub: '1', iat: nowS() - 600, exp: nowS() - 120 }, { key: HS_SECRET });
    await refusedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(expired)] }, 4401, 'token_expired');
    const bound = await mintTicket(server, { bearer: API_KEY, body: { user_id: '1', client_ip: '192.0.2.1' } });
    await refusedRaw(socketUrl(server, { ticket: bound }), {}, 4401, 'binding_mismatch');
    // An unknown vsn is refused before the upgrade (as Phoenix does), even for a client
    // that reads connect_error: plain HTTP 400.
    const badVsn = openRaw(socketUrl(server, {}, '3.0.0'));
    await badVsn.waitClose();
    assert.equal(badVsn.httpRefusal?.status, 400);
    assert.equal(badVsn.httpRefusal.json.error, 'bad_request');
    // Accepted sockets are not refusals.
    const ok = await acceptedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(signJwt({ sub: '1', exp: nowS() + 60 }, { key: HS_SECRET }))] });
    await ok.close();

    const after = (await request('GET', `${server.http}/metrics`)).text;
    assert.equal(counter(after, 'token_invalid', 4401), 3);
    assert.equal(counter(after, 'forbidden_origin', 4403), 2);
    assert.equal(counter(after, 'token_expired', 4401), 1);
    assert.equal(counter(after, 'binding_mismatch', 4401), 1);
    assert.equal(counter(after, 'bad_request', 4400), 1);
    assert.equal(counter(after, 'missing_credentials', 4401), 0);
    assert.equal(counter(after, 'session_revoked', 4403), 0);
    assert.match(after, /^sockguard_handshakes_total\{result="refused"\} 8$/m);
  });
});
