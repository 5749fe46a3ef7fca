// Origin syntax (issue 10 §8): Origins are parsed (scheme, host as DNS labels or an IP
// address, port) before they are matched, so spellings that merely end in ".example.com"
// do not pass a `https://*.example.com` wildcard; malformed allowed_origins entries stop
// the start.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, HS_SECRET } from './lib/server.mjs';
import { signJwt, nowS, postTicket, socketUrl, refusedRaw, acceptedRaw, bearerProtocol, request } from './lib/clients.mjs';

const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: HS_SECRET });

// Each of these matched *.example.com before the fix.
const MALFORMED = [
  'https://..example.com',
  'https://evil.com\\.example.com',
  'https://evil.com;.example.com',
  'https://evil.com,.example.com',
  'https://evil.com, https://app.example.com',
  'https://evil_com.example.com',
  'https://.example.com',
];

describe('Origin syntax against a wildcard', () => {
  let server;
  before(async () => {
    server = await startServer({ flags: { '--auth-jwt-secret': HS_SECRET, '--auth-allowed-origins': 'https://*.example.com' } });
  });
  after(() => server?.stop());

  it('malformed Origins are forbidden_origin at the handshake, a well-formed subdomain is accepted', async () => {
    for (const origin of MALFORMED) {
      await refusedRaw(socketUrl(server), { origin, protocols: ['phoenix', bearerProtocol(jwtFor('51'))] }, 4403, 'forbidden_origin');
    }
    const conn = await acceptedRaw(socketUrl(server), {
      origin: 'https://app.example.com', protocols: ['phoenix', bearerProtocol(jwtFor('51'))],
    });
    await conn.close();
  });

  it('malformed Origins get no ticket and no sign-in', async () => {
    for (const origin of MALFORMED) {
      const t = await postTicket(server, { bearer: jwtFor('52'), origin });
      assert.equal(t.status, 403, `${origin}: ${t.text}`);
      assert.equal(t.json.error, 'forbidden_origin');
      const login = await request('POST', `${server.http}/api/accounts/login`, {
        headers: { Origin: origin }, body: { email: 'a@example.com', password: 'whatever password' },
      });
      assert.equal(login.status, 403, `${origin}: ${login.text}`);
    }
    assert.equal((await postTicket(server, { bearer: jwtFor('52'), origin: 'https://a.b.example.com' })).status, 200);
  });
});

describe('allowed_origins entries are validated at start', () => {
  for (const entry of ['https://..example.com', 'https://*.*.example.com', 'https://app.example.com/', 'https://evil.com\\.example.com']) {
    it(`'${entry}' stops the start`, async () => {
      await assert.rejects(startServer({ flags: { '--auth-allowed-origins': entry } }), /auth\.allowed_origins/);
    });
  }
});
