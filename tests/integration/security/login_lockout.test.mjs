// Login lock-out (issue 10 §6). The attack: wrong passwords for the victim's account from
// many other addresses, then the victim's correct password from its own address. Before,
// one per-account bucket made that a 429 for a minute. Now the attempts are throttled per
// (account, address) and per address, and the slower account-wide limit does not apply
// to the addresses the account signed in from before.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';
import { request } from './lib/clients.mjs';

const PASSWORD = 'correct horse battery staple';
const VICTIM_IP = '127.0.0.10';
const attacker = (i) => `127.0.1.${i + 1}`;

const login = (server, email, password, localAddress) =>
  request('POST', `${server.http}/api/accounts/login`, { body: { email, password }, localAddress });

async function register(server, email, localAddress) {
  const res = await request('POST', `${server.http}/api/accounts/register`, {
    body: { email, password: PASSWORD }, localAddress,
  });
  assert.equal(res.status, 201, res.text);
}

// Wrong passwords from `count` addresses, one each, one at a time (the hashing gate lets
// each address have only a couple in flight; one at a time keeps the test about the
// throttle). Returns the statuses.
async function guess(server, email, count) {
  const statuses = [];
  for (let i = 0; i < count; i++) statuses.push((await login(server, email, 'wrong password!', attacker(i))).status);
  return statuses;
}

describe("the review's attack, on default limits", () => {
  it("wrong passwords from 12 other addresses, then the owner's correct one from its own address: 200", async () => {
    const server = await startServer();
    try {
      await register(server, 'owner@example.com', VICTIM_IP);
      const statuses = await guess(server, 'owner@example.com', 12);
      const res = await login(server, 'owner@example.com', PASSWORD, VICTIM_IP);
      assert.equal(res.status, 200, `the owner got ${res.status} after guesses answered ${statuses}`);
      // Twelve guesses from twelve addresses are all under every limit: each one was hashed.
      assert.ok(statuses.every((s) => s === 401), `statuses ${statuses}`);
    } finally { await server.stop(); }
  });
});

describe('login throttling cannot lock the owner out', () => {
  let server;
  before(async () => {
    // A small account-wide limit, so that the attack spends it with few hashes.
    server = await startServer({ flags: { '--limits-login-attempts-per-account': '5' } });
  });
  after(() => server?.stop());

  it("wrong passwords from 12 other addresses do not refuse the owner's correct login from its usual address", async () => {
    await register(server, 'victim@example.com', VICTIM_IP);
    const statuses = await guess(server, 'victim@example.com', 12);
    // The account-wide limit held the guessing to 5 hashed attempts...
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401]);
    assert.ok(statuses.slice(5).every((s) => s === 429), `statuses ${statuses}`);
    // ...and the owner, from the address it registered from, signs in.
    const res = await login(server, 'victim@example.com', PASSWORD, VICTIM_IP);
    assert.equal(res.status, 200, res.text);
  });

  it('an address that signed in before stays exempt after the flood; a new one waits', async () => {
    await register(server, 'traveller@example.com', VICTIM_IP);
    assert.equal((await login(server, 'traveller@example.com', PASSWORD, '127.0.0.11')).status, 200);  // a second address
    await guess(server, 'traveller@example.com', 8);
    assert.equal((await login(server, 'traveller@example.com', PASSWORD, '127.0.0.11')).status, 200);
    assert.equal((await login(server, 'traveller@example.com', PASSWORD, VICTIM_IP)).status, 200);
    // An address the account never used pays the account-wide limit, right password or not.
    const fresh = await login(server, 'traveller@example.com', PASSWORD, '127.0.0.12');
    assert.equal(fresh.status, 429, fresh.text);
    assert.equal(fresh.json.error, 'rate_limited');
    assert.ok(Number(fresh.headers['retry-after']) >= 1);
  });
});

describe('login throttling still bounds guessing', () => {
  it('one address guessing one account is held per (account, address), without touching others', async () => {
    const server = await startServer({ flags: { '--limits-login-attempts-per-account-and-ip': '3' } });
    try {
      await register(server, 'target@example.com', VICTIM_IP);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await login(server, 'target@example.com', 'wrong password!', '127.0.0.20')).status);
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      // The same address may still use another account; the owner is not affected.
      assert.equal((await login(server, 'nobody@example.com', 'wrong password!', '127.0.0.20')).status, 401);
      assert.equal((await login(server, 'target@example.com', PASSWORD, VICTIM_IP)).status, 200);
    } finally { await server.stop(); }
  });

  it('one address guessing many accounts is held per address', async () => {
    const server = await startServer({ flags: { '--limits-login-attempts-per-ip': '3' } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await login(server, `user${i}@example.com`, 'wrong password!', '127.0.0.30')).status);
      assert.deepEqual(statuses, [401, 401, 401, 429]);
      assert.equal((await login(server, 'user9@example.com', 'wrong password!', '127.0.0.31')).status, 401);
    } finally { await server.stop(); }
  });
});
