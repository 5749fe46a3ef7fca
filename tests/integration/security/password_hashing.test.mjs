// Password hashing under a flood (issue 5's attack run found it): each login or
// registration costs an argon2id hash, and the login throttles still let 30 at once
// through per address. limits.password_hashes_per_ip and limits.password_hashes_pending
// answer the excess at once (429 / 503 with Retry-After) instead of queueing it, and
// session lookups (ticket requests, cookie handshakes) run on a pool of their own, so
// they never wait behind a backlog of hashes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { request, postTicket } from './lib/clients.mjs';

const PASSWORD = 'correct horse battery staple';

async function register(server, email) {
  const res = await request('POST', `${server.http}/api/accounts/register`, { body: { email, password: PASSWORD } });
  assert.equal(res.status, 201, res.text);
  return { cookie: [res.headers['set-cookie']].flat()[0].split(';')[0], csrf: res.json.csrf_token };
}

function login(server, email, password, localAddress) {
  return request('POST', `${server.http}/api/accounts/login`, { body: { email, password }, localAddress });
}

describe('password hashing admission', () => {
  it('a second login from an address whose first is still being hashed is answered 429 at once', async () => {
    const server = await startServer({ flags: { '--limits-password-hashes-per-ip': '1' } });
    try {
      await register(server, 'one@example.com');
      const answers = await Promise.all([1, 2, 3, 4].map(() => login(server, 'one@example.com', 'wrong password!')));
      const statuses = answers.map((a) => a.status).sort();
      assert.ok(statuses.includes(401), `one was hashed: ${statuses}`);
      const refused = answers.filter((a) => a.status === 429);
      assert.ok(refused.length >= 1, `the others were refused: ${statuses}`);
      for (const r of refused) {
        assert.equal(r.json.error, 'rate_limited');
        assert.equal(r.headers['retry-after'], '1');
      }
      // Once the hash is done, the address may sign in again.
      assert.equal((await login(server, 'one@example.com', PASSWORD)).status, 200);
    } finally { await server.stop(); }
  });

  it('an address whose previous hash has been answered is never refused for it', async () => {
    // One place per address: each request below starts after the answer to the one before,
    // so the place must already be free (it used to be given back only after the answer).
    const server = await startServer({ flags: { '--limits-password-hashes-per-ip': '1' } });
    try {
      await register(server, 'seq@example.com');
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await login(server, `nobody${i}@example.com`, 'wrong password!')).status);
      statuses.push((await login(server, 'seq@example.com', PASSWORD)).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 200]);
    } finally { await server.stop(); }
  });

  it('over limits.password_hashes_pending every address is answered 503 server_busy', async () => {
    const server = await startServer({
      flags: { '--limits-password-hashes-per-ip': '10', '--limits-password-hashes-pending': '1' },
    });
    try {
      const sources = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];
      const answers = await Promise.all(sources.map((ip) => login(server, 'nobody@example.com', 'wrong password!', ip)));
      const busy = answers.filter((a) => a.status === 503);
      assert.ok(busy.length >= 1, `statuses ${answers.map((a) => a.status)}`);
      for (const b of busy) {
        assert.equal(b.json.error, 'server_busy');
        assert.equal(b.headers['retry-after'], '1');
      }
      const metrics = await request('GET', `${server.http}/metrics`);
      assert.match(metrics.text, /^sockguard_password_hashes_pending \d+$/m);
    } finally { await server.stop(); }
  });

  it('a ticket request does not wait behind a backlog of password hashes', async () => {
    const server = await startServer({
      flags: { '--limits-password-hashes-per-ip': '100', '--limits-password-hashes-pending': '1000' },
    });
    try {
      const { cookie, csrf } = await register(server, 'busy@example.com');
      const order = [];
      // 20 hashes on two threads: a second or so of backlog.
      const guesses = Array.from({ length: 20 }, (_, i) =>
        login(server, `guess${i}@example.com`, 'wrong password!').then((r) => { order.push('login'); return r; }));
      const ticket = postTicket(server, { headers: { Cookie: cookie, 'X-CSRF-Token': csrf } })
        .then((r) => { order.push('ticket'); return r; });
      const [ticketAnswer, ...loginAnswers] = await Promise.all([ticket, ...guesses]);
      assert.equal(ticketAnswer.status, 200, ticketAnswer.text);
      assert.ok(loginAnswers.every((a) => a.status === 401), `${loginAnswers.map((a) => a.status)}`);
      assert.ok(order.indexOf('ticket') < order.length - 5,
        `the ticket was answered after ${order.indexOf('ticket')} of ${order.length - 1} logins`);
    } finally { await server.stop(); }
  });
});
