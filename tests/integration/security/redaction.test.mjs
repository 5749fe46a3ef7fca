// Secrets never reach a log (DESIGN §5): with the server at debug level, in text and in
// JSON format, every credential the tests use (tickets, JWTs, the API key, the session
// cookie and its hash, CSRF tokens, passwords) is exercised — accepted and refused, in
// every place a credential may ride — and none of them appears in stdout or stderr.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, API_KEY, HS_SECRET } from './lib/server.mjs';
import { remember } from './lib/secrets.mjs';
import {
  signJwt, nowS, socketUrl, openRaw, acceptedRaw, refusedRaw, expectRefused, bearerProtocol, postTicket, request,
  withPhoenix,
} from './lib/clients.mjs';

const APP = 'https://app.example.com';

// The pieces of a JWT that would betray it: the whole, the claims+signature, the signature.
function jwtSecrets(token) {
  const [, payload, sig] = token.split('.');
  return [token, `${payload}.${sig}`, sig, Buffer.from(token).toString('base64').replace(/=/g, '')];
}
const ticketSecrets = (t) => [t, t.slice(0, 20), t.slice(-20), Buffer.from(t).toString('base64').replace(/=/g, '')];

async function exercise(server) {
  const secrets = [API_KEY, HS_SECRET];
  const jwt = (sub, extra = {}) => {
    const t = signJwt({ sub, iat: nowS(), exp: nowS() + 600, ...extra }, { key: HS_SECRET });
    secrets.push(...jwtSecrets(t));
    return t;
  };
  const track = (kind, value) => {
    secrets.push(...(kind === 'ticket' ? ticketSecrets(value) : [value]));
    return value;
  };
  const close = (c) => c.close();

  // Ticket minted with a Bearer JWT, presented in ?ticket=.
  const t1 = await postTicket(server, { bearer: jwt('1') });
  assert.equal(t1.status, 200);
  await close(await acceptedRaw(socketUrl(server, { ticket: track('ticket', t1.json.ticket) })));
  // Ticket minted with the API key, presented in Sec-WebSocket-Protocol.
  const t2 = await postTicket(server, { bearer: API_KEY, body: { user_id: '2' } });
  assert.equal(t2.status, 200);
  await close(await acceptedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(track('ticket', t2.json.ticket))] }));
  // ... and replayed, refused.
  await refusedRaw(socketUrl(server, { ticket: t1.json.ticket }), {}, 4401, 'token_invalid');
  await refusedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(t2.json.ticket)] }, 4401, 'token_invalid');
  // JWT in ?token= (auth.query_token on), accepted and refused.
  await close(await acceptedRaw(socketUrl(server, { token: jwt('3') })));
  await refusedRaw(socketUrl(server, { token: jwt('3', { iat: nowS() - 900, exp: nowS() - 300 }) }), {}, 4401, 'token_expired');
  const forged = track('jwt', signJwt({ sub: '3', exp: nowS() + 60 }, { key: 'forged-forged-forged-forged-forged-forged' }));
  secrets.push(...jwtSecrets(forged));
  await refusedRaw(socketUrl(server, { token: forged }), {}, 4401, 'token_invalid');
  // JWT through the official client's authToken.
  await withPhoenix(server, { authToken: jwt('4') }, async (client) => {
    assert.equal((await client.join('user_count:4')).status, 'ok');
  });
  // First-message auth, good and bad; refresh_token.
  const fm = openRaw(socketUrl(server));
  assert.equal((await fm.push('phoenix', 'auth', { token: jwt('5') })).status, 'ok');
  assert.equal((await fm.push('phoenix', 'refresh_token', { token: jwt('5') })).status, 'ok');
  assert.equal((await fm.push('phoenix', 'refresh_token', { token: jwt('6') })).status, 'error');
  await close(fm);
  const fmBad = openRaw(socketUrl(server));
  const badTicket = track('ticket', crypto.randomBytes(32).toString('base64url'));
  fmBad.send([null, '1', 'phoenix', 'auth', { ticket: badTicket }]);
  await expectRefused(fmBad, 4401, 'token_invalid');

  // A session: register (password in the body), log in, cookie socket, cookie ticket.
  const password = track('raw', `pw-${crypto.randomBytes(12).toString('hex')}`);
  const email = `redact-${crypto.randomBytes(4).toString('hex')}@example.com`;
  const reg = await request('POST', `${server.http}/api/accounts/register`, { headers: { Origin: APP }, body: { email, password } });
  assert.equal(reg.status, 201, reg.text);
  const cookieValue = track('raw', [reg.headers['set-cookie']].flat()[0].split(';')[0].split('=')[1]);
  track('raw', crypto.createHash('sha256').update(cookieValue).digest('hex'));  // the stored session id
  const csrf = track('raw', reg.json.csrf_token);
  const wrongPassword = track('raw', `wrong-${crypto.randomBytes(12).toString('hex')}`);
  assert.equal((await request('POST', `${server.http}/api/accounts/login`, { body: { email, password: wrongPassword } })).status, 401);
  const login = await request('POST', `${server.http}/api/accounts/login`, { body: { email, password } });
  assert.equal(login.status, 200);
  track('raw', [login.headers['set-cookie']].flat()[0].split(';')[0].split('=')[1]);
  track('raw', login.json.csrf_token);
  const cookie = `_sockguard_session=${cookieValue}`;
  await close(await acceptedRaw(socketUrl(server, { _csrf_token: csrf }), { origin: APP, headers: { Cookie: cookie } }));
  await refusedRaw(socketUrl(server, { _csrf_token: csrf }), { headers: { Cookie: cookie } }, 4403, 'forbidden_origin');
  const wrongCsrf = track('raw', `csrf-${crypto.randomBytes(12).toString('hex')}`);
  await refusedRaw(socketUrl(server, { _csrf_token: wrongCsrf }), { origin: APP, headers: { Cookie: cookie } }, 4401, 'token_invalid');
  const t3 = await postTicket(server, { origin: APP, headers: { Cookie: cookie, 'X-CSRF-Token': csrf } });
  assert.equal(t3.status, 200, t3.text);
  await close(await acceptedRaw(socketUrl(server, { ticket: track('ticket', t3.json.ticket) }), { origin: APP }));
  assert.equal((await postTicket(server, { origin: APP, headers: { Cookie: cookie, 'X-CSRF-Token': wrongCsrf } })).status, 403);
  const me = await request('GET', `${server.http}/api/accounts/me`, { headers: { Cookie: cookie } });
  assert.equal(me.status, 200);
  const out = await request('POST', `${server.http}/api/accounts/logout`, { headers: { Origin: APP, Cookie: cookie, 'X-CSRF-Token': csrf }, body: {} });
  assert.equal(out.status, 200);

  // Secrets in parameters the server does not use, in disguise, and on other paths.
  const disguised = {
    TOKEN: jwt('7'), '%74oken': jwt('7'), guardian_token: jwt('7'), auth_token: jwt('7'), csrf_token: track('raw', `c-${crypto.randomBytes(9).toString('hex')}`),
    password: track('raw', `p-${crypto.randomBytes(9).toString('hex')}`), api_secret: track('raw', `s-${crypto.randomBytes(9).toString('hex')}`),
  };
  for (const [name, value] of Object.entries(disguised)) {
    const conn = openRaw(`${server.ws}/socket/websocket?vsn=2.0.0&${name}=${value}`);
    await conn.opened;
    await conn.close();
    await request('GET', `${server.http}/nope?${name}=${value}`);
    await request('GET', `${server.http}/metrics?a=1&${name}=${value}&b=2`);
  }
  const semi = track('ticket', crypto.randomBytes(32).toString('base64url'));
  await request('GET', `${server.http}/healthz?x=1;ticket=${semi}`);
  const wrongPath = track('ticket', crypto.randomBytes(32).toString('base64url'));
  const wp = openRaw(`${server.ws}/socket/other?ticket=${wrongPath}`);
  await wp.waitClose();
  // Header credentials on plain requests.
  await request('GET', `${server.http}/api/accounts/me`, { headers: { Authorization: `Bearer ${jwt('8')}`, Cookie: cookie } });
  await request('POST', `${server.http}/api/broadcast`, { headers: { Authorization: `Bearer ${API_KEY}` }, body: { topic: 'room:x', event: 'e', payload: { secret: csrf } } });
  await request('POST', `${server.http}/api/users/9/disconnect`, { headers: { Authorization: `Bearer ${API_KEY}` }, body: {} });
  return secrets;
}

async function checkServer(logFormat) {
  const server = await startServer({
    logFormat,
    flags: {
      '--auth-jwt-secret': HS_SECRET, '--auth-query-token': 'true', '--auth-allowed-origins': APP,
      '--auth-redact-params': 'api_secret',
    },
  });
  let secrets;
  try {
    secrets = await exercise(server);
  } finally {
    await server.stop();
  }
  const logs = server.logs();
  if (process.env.SOCKGUARD_TEST_DUMP_LOGS) process.stderr.write(logs);
  assert.ok(logs.length > 1000, `suspiciously little log output (${logs.length} bytes)`);
  for (const s of new Set(secrets)) {
    assert.ok(s.length >= 16, `secret too short to test: ${s}`);
    assert.ok(!logs.includes(s), `secret leaked into the ${logFormat} log: ${s}\n${logs.split('\n').filter((l) => l.includes(s)).join('\n')}`);
  }
  // The query forms were logged, redacted.
  for (const name of ['ticket', 'token', '_csrf_token', 'TOKEN', '%74oken', 'guardian_token', 'auth_token', 'csrf_token', 'password', 'api_secret']) {
    assert.ok(logs.includes(`${name}=[REDACTED]`), `no ${name}=[REDACTED] in the ${logFormat} log`);
  }
  if (logFormat === 'json') {
    for (const line of server.stderr.split('\n').filter(Boolean)) JSON.parse(line);
  }
  return logs;
}

describe('secrets never reach a log', () => {
  it('text format at debug level', async () => { await checkServer('text'); });
  it('json format at debug level', async () => { await checkServer('json'); });
});

// Every other file of this suite relies on stopServer() finding any secret the suite used
// in the server's debug log (lib/secrets.mjs). That check must be able to fail: a secret
// put where the server does log verbatim (a request path) is caught.
describe('the suite-wide log check', () => {
  it('fails the stop of a server whose log holds a remembered secret', async () => {
    const server = await startServer();
    const secret = remember(crypto.randomBytes(24).toString('base64url'));
    const res = await request('GET', `${server.http}/no-such-page-${secret}`);
    assert.equal(res.status, 404);
    await assert.rejects(server.stop(), /a secret reached the server's log/);
  });
});
