// Accounts and sessions on PostgreSQL (store.database_url): the real binary against a real
// PostgreSQL the test starts itself (lib/postgres.mjs). Register, login, me, logout,
// expiry and duplicate e-mails as on SQLite; the rows are in PostgreSQL. PostgreSQL
// stopped: sign-in, register and session lookups answer 503 server_busy (never 401), open
// sockets stay open and keep receiving, /readyz says 503 while /healthz stays 200;
// restarted: everything works again without restarting sockguard. Two nodes starting at
// once on an empty database both migrate and share it. The password never reaches a log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { API_KEY, runBinary, startServer } from './lib/server.mjs';
import { RawClient, eventually, withTimeout, WAIT_MS } from './lib/clients.mjs';
import { PG_PASSWORD, startPostgres } from './lib/postgres.mjs';

const PASSWORD = 'correct horse battery staple';

let pg;
let dbCount = 0;

async function newDatabase() {
  const name = `it_${process.pid}_${++dbCount}`;
  await pg.createDatabase(name);
  return name;
}

async function startOn(database, extra = {}) {
  return startServer({
    env: { SOCKGUARD_STORE_DATABASE_URL: pg.url(database), SOCKGUARD_LOG_LEVEL: 'debug', ...extra },
  });
}

function origin(server) { return `http://127.0.0.1:${server.port}`; }

async function call(server, method, path, { body, cookie, csrf } = {}) {
  const headers = { Origin: origin(server) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (cookie) headers.Cookie = cookie;
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(`${server.httpUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, json, text, headers: res.headers, cookie: setCookie ? setCookie.split(';')[0] : undefined };
}

const register = (server, email, password = PASSWORD) => call(server, 'POST', '/api/accounts/register', { body: { email, password } });
const login = (server, email, password = PASSWORD) => call(server, 'POST', '/api/accounts/login', { body: { email, password } });
const me = (server, session) => call(server, 'GET', '/api/accounts/me', { cookie: session.cookie });
const logout = (server, session) => call(server, 'POST', '/api/accounts/logout', { body: {}, cookie: session.cookie, csrf: session.csrf });
const mintTicket = (server, session) => call(server, 'POST', '/api/socket/ticket', { body: {}, cookie: session.cookie, csrf: session.csrf });

function sessionOf(res) {
  assert.ok(res.cookie, `no session cookie: ${res.text}`);
  return { id: res.json.id, csrf: res.json.csrf_token, cookie: res.cookie };
}

function assertBusy(res, what) {
  assert.equal(res.status, 503, `${what}: ${res.status} ${res.text}`);
  assert.equal(res.json.error, 'server_busy', what);
  assert.ok(Number(res.headers.get('retry-after')) >= 1, `${what}: Retry-After`);
}

// A cookie-session socket joined on room:lobby.
async function cookieSocket(server, session) {
  return RawClient.open(server.wsUrl({ vsn: '2.0.0', _csrf_token: session.csrf }),
    { origin: origin(server), headers: { Cookie: session.cookie } });
}

async function joinLobby(client) {
  const reply = await client.request('1', '1', 'room:lobby', 'phx_join', {});
  assert.equal(reply[4].status, 'ok', JSON.stringify(reply));
}

function broadcast(server, payload) {
  return fetch(`${server.httpUrl}/api/broadcast`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify({ topic: 'room:lobby', event: 'news', payload }),
  });
}

async function readyz(server) {
  const res = await fetch(`${server.httpUrl}/readyz`);
  return { status: res.status, json: await res.json() };
}

function assertNoPassword(server) {
  const out = server.output();
  assert.ok(!out.includes(PG_PASSWORD), 'the database password reached the output');
}

before(async () => { pg = await startPostgres(); });
after(async () => { await pg?.dispose(); });

describe('accounts and sessions on PostgreSQL', () => {
  let server;
  let database;
  before(async () => {
    database = await newDatabase();
    server = await startOn(database);
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
  });

  test('register, me, login, logout; the rows are in PostgreSQL', async () => {
    const reg = await register(server, '  Alice@Example.COM ');
    assert.equal(reg.status, 201, reg.text);
    assert.equal(reg.json.email, 'alice@example.com', 'normalised');
    const first = sessionOf(reg);

    const who = await me(server, first);
    assert.equal(who.status, 200, who.text);
    assert.deepEqual({ id: who.json.id, email: who.json.email }, { id: first.id, email: 'alice@example.com' });

    const bad = await login(server, 'alice@example.com', 'wrong password!');
    assert.equal(bad.status, 401);
    assert.equal(bad.json.error, 'invalid_credentials');
    const nobody = await login(server, 'nobody@example.com');
    assert.equal(nobody.status, 401);
    assert.equal(nobody.json.error, 'invalid_credentials');

    const signedIn = await login(server, 'ALICE@example.com');
    assert.equal(signedIn.status, 200, signedIn.text);
    const second = sessionOf(signedIn);
    assert.equal(second.id, first.id);
    assert.notEqual(second.cookie, first.cookie);

    assert.equal(await pg.query(database, "SELECT email FROM accounts"), 'alice@example.com');
    assert.equal(await pg.query(database, `SELECT count(*) FROM sessions WHERE user_id = ${first.id} AND revoked_at IS NULL`), '2');

    const out = await logout(server, first);
    assert.equal(out.status, 200, out.text);
    assert.equal((await me(server, first)).status, 401, 'the first session has ended');
    assert.equal((await me(server, second)).status, 200, 'the other session lives on');
    assert.equal(await pg.query(database, `SELECT count(*) FROM sessions WHERE revoked_at IS NOT NULL`), '1');
  });

  test('a duplicate e-mail is 409 email_taken, whatever its case and spaces', async () => {
    assert.equal((await register(server, 'bob@example.com')).status, 201);
    const again = await register(server, ' BOB@example.com');
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.error, 'email_taken');
    assert.equal(await pg.query(database, "SELECT count(*) FROM accounts WHERE email = 'bob@example.com'"), '1');
  });

  test('a session past its expiry is over', async () => {
    const session = sessionOf(await register(server, 'carol@example.com'));
    assert.equal((await me(server, session)).status, 200);
    await pg.query(database, `UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = ${session.id}`);
    const expired = await me(server, session);
    assert.equal(expired.status, 401, expired.text);
    assert.equal(expired.json.error, 'token_invalid');
  });

  test('/readyz reports PostgreSQL; /healthz is liveness only', async () => {
    const ready = await readyz(server);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json, { status: 'ok', checks: { postgres: 'ok' } });
    assert.equal((await fetch(`${server.httpUrl}/healthz`)).status, 200);
  });

  test('the password never reaches the output; the URL is shown redacted', () => {
    assertNoPassword(server);
    assert.match(server.output(), /postgresql:\/\/sockguard:\[REDACTED\]@127\.0\.0\.1:\d+\//);
  });
});

describe('PostgreSQL stopped and restarted', () => {
  let server;
  let database;
  before(async () => {
    database = await newDatabase();
    server = await startOn(database);
  });
  after(async () => {
    await server?.stop();
    server?.cleanup();
    // Leave the server up for the next suite whatever happened here.
    try { await pg.start(); } catch { /* already running */ }
  });

  test('503 server_busy while down, open sockets stay open, and all works again after the restart', async () => {
    const alice = sessionOf(await register(server, 'alice@example.com'));
    const bob = sessionOf(await register(server, 'bob@example.com'));
    const socket = await cookieSocket(server, alice);
    await joinLobby(socket);

    await pg.stop();

    // Sign-in, registration and every session lookup: 503, never 401 / invalid.
    assertBusy(await login(server, 'alice@example.com'), 'login');
    assertBusy(await login(server, 'nobody@example.com'), 'login of an unknown e-mail');
    assertBusy(await register(server, 'carol@example.com'), 'register');
    assertBusy(await me(server, alice), 'me');
    assertBusy(await logout(server, bob), 'logout');
    assertBusy(await mintTicket(server, alice), 'ticket minted with the session');
    // A new cookie handshake is told to come back (4503 server_busy), not that the session is invalid.
    const refused = new RawClient(server.wsUrl({ vsn: '2.0.0', _csrf_token: bob.csrf }),
      { origin: origin(server), headers: { Cookie: bob.cookie } });
    const closed = await withTimeout(refused.closed, WAIT_MS, 'refused handshake');
    assert.equal(closed.code, 4503, JSON.stringify({ closed, messages: refused.messages.map((m) => m.text) }));

    // Readiness says so; liveness does not.
    await eventually(async () => (await readyz(server)).status === 503, { what: '/readyz 503', timeoutMs: 5000 });
    assert.deepEqual((await readyz(server)).json, { status: 'unavailable', checks: { postgres: 'unavailable' } });
    assert.equal((await fetch(`${server.httpUrl}/healthz`)).status, 200);
    await server.waitForLog(/PostgreSQL unreachable/);

    // The socket opened before the outage is still open and still receives.
    assert.equal(socket.closeEvent, null, 'the open socket stayed open');
    assert.equal((await broadcast(server, { n: 1 })).status, 202);
    const news = await socket.waitForEvent('room:lobby', 'news');
    assert.deepEqual(news[4], { n: 1 });

    await pg.start();

    // No restart of sockguard: the pool reconnects on its own.
    await eventually(async () => (await readyz(server)).status === 200, { what: '/readyz 200 again', timeoutMs: 5000 });
    const again = await login(server, 'alice@example.com');
    assert.equal(again.status, 200, again.text);
    assert.equal((await me(server, alice)).status, 200, 'the session from before the outage is still valid');
    assert.equal((await register(server, 'carol@example.com')).status, 201);
    assert.equal((await mintTicket(server, alice)).status, 200);
    assert.equal((await logout(server, bob)).status, 200);
    assert.equal((await me(server, bob)).status, 401);
    assert.equal(socket.closeEvent, null, 'the open socket is still open');
    await server.waitForLog(/PostgreSQL reachable/);
    socket.close();
    assertNoPassword(server);
  });
});

describe('several nodes on one database', () => {
  test('two nodes starting at once on an empty database both migrate and share accounts and sessions', async () => {
    const database = await newDatabase();
    const [a, b] = await Promise.all([startOn(database), startOn(database)]);
    try {
      assert.equal(await pg.query(database, 'SELECT count(*) FROM sockguard_schema_migrations'), '1');
      const reg = await register(a, 'shared@example.com');
      assert.equal(reg.status, 201, reg.text);
      const session = sessionOf(reg);
      const onB = await me(b, session);
      assert.equal(onB.status, 200, 'node B reads the session node A wrote');
      assert.equal(onB.json.email, 'shared@example.com');
      const dup = await register(b, 'shared@example.com');
      assert.equal(dup.status, 409);
      assert.equal((await logout(b, session)).status, 200);
      assert.equal((await me(a, session)).status, 401, 'a logout on B ends the session on A');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      a.cleanup();
      b.cleanup();
    }
  });

  test('a node that cannot reach its database does not start, and does not print the password', async () => {
    const url = `postgresql://sockguard:${PG_PASSWORD}@127.0.0.1:1/nowhere`;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sockguard-it-'));
    try {
      // It keeps trying for a while (the database may still be starting), then gives up.
      const r = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir],
        { env: { SOCKGUARD_STORE_DATABASE_URL: url }, timeoutMs: 30000 });
      assert.equal(r.code, 2, r.stderr);
      const out = r.stdout + r.stderr;
      assert.ok(!out.includes(PG_PASSWORD), out);
      assert.match(r.stderr, /store\.database_url/);
      assert.match(r.stderr, /postgresql:\/\/sockguard:\[REDACTED\]@127\.0\.0\.1:1\/nowhere/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
