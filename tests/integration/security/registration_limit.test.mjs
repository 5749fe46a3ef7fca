// Registration says which e-mails have accounts (issue 10 §7): without e-mail verification
// a 409 email_taken cannot be hidden, so registrations are limited per client IP (429 with
// Retry-After beyond), which keeps that oracle slow. The README says so.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { request } from './lib/clients.mjs';

const PASSWORD = 'correct horse battery staple';
const register = (server, email, localAddress) =>
  request('POST', `${server.http}/api/accounts/register`, { body: { email, password: PASSWORD }, localAddress });

describe('registration rate limit', () => {
  it('on default limits, the eleventh registration from one address within the hour is 429', async () => {
    const server = await startServer();
    try {
      for (let i = 0; i < 10; i++) assert.equal((await register(server, `p${i}@example.com`, '127.0.0.44')).status, 201);
      const refused = await register(server, 'p10@example.com', '127.0.0.44');
      assert.equal(refused.status, 429, refused.text);
      assert.equal(refused.json.error, 'rate_limited');
      assert.ok(Number(refused.headers['retry-after']) >= 1);
    } finally { await server.stop(); }
  });

  it('probing e-mails by registering is cut off per address, 409s counted as much as 201s', async () => {
    const server = await startServer({ flags: { '--limits-registrations-per-ip': '3' } });
    try {
      assert.equal((await register(server, 'known@example.com', '127.0.0.40')).status, 201);
      // The prober: one new e-mail, one known (409), then one more of either is refused.
      assert.equal((await register(server, 'probe1@example.com', '127.0.0.41')).status, 201);
      const taken = await register(server, 'known@example.com', '127.0.0.41');
      assert.equal(taken.status, 409);
      assert.equal(taken.json.error, 'email_taken');
      assert.equal((await register(server, 'probe2@example.com', '127.0.0.41')).status, 201);
      for (const email of ['known@example.com', 'probe3@example.com']) {
        const refused = await register(server, email, '127.0.0.41');
        assert.equal(refused.status, 429, refused.text);
        assert.equal(refused.json.error, 'rate_limited');
        assert.ok(Number(refused.headers['retry-after']) >= 1, JSON.stringify(refused.headers));
      }
      // Another address is not held up.
      assert.equal((await register(server, 'probe3@example.com', '127.0.0.42')).status, 201);
    } finally { await server.stop(); }
  });

  it('malformed registrations cost nothing of the limit', async () => {
    const server = await startServer({ flags: { '--limits-registrations-per-ip': '1' } });
    try {
      for (let i = 0; i < 3; i++) {
        const bad = await request('POST', `${server.http}/api/accounts/register`, {
          body: { email: 'not-an-address', password: PASSWORD }, localAddress: '127.0.0.43',
        });
        assert.equal(bad.status, 400);
      }
      assert.equal((await register(server, 'fine@example.com', '127.0.0.43')).status, 201);
      assert.equal((await register(server, 'again@example.com', '127.0.0.43')).status, 429);
    } finally { await server.stop(); }
  });
});
