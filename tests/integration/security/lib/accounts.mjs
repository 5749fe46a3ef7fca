// Accounts and cookie sessions for the security tests: register, log in, log out, and the
// cookie + CSRF handshake options a browser page would use.
import assert from 'node:assert/strict';

import { request, socketUrl } from './clients.mjs';

export const PASSWORD = 'correct horse battery staple';

function sessionOf(res) {
  const cookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('_sockguard_session='));
  assert.ok(cookie, `no session cookie in ${JSON.stringify(res.headers)}`);
  return { id: res.json.id, csrf: res.json.csrf_token, cookie: cookie.split(';')[0] };
}

// A new account and its first session: {id, csrf, cookie} (cookie as "name=value").
export async function register(server, email, origin) {
  const res = await request('POST', `${server.http}/api/accounts/register`,
    { headers: { Origin: origin }, body: { email, password: PASSWORD } });
  assert.equal(res.status, 201, res.text);
  return sessionOf(res);
}

// Another session of an existing account.
export async function login(server, email, origin) {
  const res = await request('POST', `${server.http}/api/accounts/login`,
    { headers: { Origin: origin }, body: { email, password: PASSWORD } });
  assert.equal(res.status, 200, res.text);
  const s = sessionOf(res);
  return { ...s, id: s.id ?? res.json.user_id };
}

export async function logout(server, session, origin) {
  const res = await request('POST', `${server.http}/api/accounts/logout`,
    { headers: { Origin: origin, Cookie: session.cookie, 'X-CSRF-Token': session.csrf }, body: {} });
  assert.equal(res.status, 200, res.text);
  return res;
}

// The URL and options of a cookie + CSRF handshake from the page at `origin`.
export function cookieHandshake(server, session, origin) {
  return [socketUrl(server, { _csrf_token: session.csrf }), { origin, headers: { Cookie: session.cookie } }];
}

// Headers of a ticket request made with the session (cookie + X-CSRF-Token).
export function sessionTicketHeaders(session) {
  return { Cookie: session.cookie, 'X-CSRF-Token': session.csrf };
}
