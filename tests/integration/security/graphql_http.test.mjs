// GraphQL over HTTP at /api/graphql against the real binary: the application's schema on
// the same accounts code as the REST API (cookie session, CSRF token, throttles), the
// GraphQL-over-HTTP media types and status codes, and the forgery rules: a foreign page
// with the victim's cookie gets nothing done, signing in needs an allowed Origin, every
// other state change needs the CSRF token. Passwords sent in variables (POST body or GET
// query string) never reach the debug log (stopServer checks).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { buildClientSchema, buildSchema, getIntrospectionQuery, parse, print, printSchema, visit } from 'graphql';

import { startServer } from './lib/server.mjs';
import { remember } from './lib/secrets.mjs';
import { request, socketUrl, acceptedRaw } from './lib/clients.mjs';

const PASSWORD = remember('graphql horse battery staple');
const EVIL = 'https://evil.example';

// The schema of issue 12, the contract (descriptions may differ).
const CONTRACT = `
type Account { id: ID!  email: String! }
type Session { account: Account!  csrfToken: String! }
type SocketTicket { ticket: String!  expiresIn: Int!  socketUrl: String! }
type UserCount { userId: ID!  count: Int! }
type ChannelMessage { topic: String!  event: String!  payload: JSON }
scalar JSON
type Query { accountsMe: Account }
type Mutation {
  accountsRegister(email: String!, password: String!): Session!
  accountsLogin(email: String!, password: String!): Session!
  accountsLogout: Boolean!
  socketTicket: SocketTicket!
}
type Subscription {
  accountsUserCount(userId: ID): UserCount!
  channel(topic: String!): ChannelMessage!
}`;

// A schema's SDL without descriptions, types in the order printSchema gives them.
function withoutDescriptions(schema) {
  const ast = visit(parse(printSchema(schema)), { enter(node) { if (node.description) return { ...node, description: undefined }; return undefined; } });
  return print(ast);
}

const REGISTER = `mutation Register($email: String!, $password: String!) {
  accountsRegister(email: $email, password: $password) { account { id email } csrfToken }
}`;
const LOGIN = `mutation Login($email: String!, $password: String!) {
  accountsLogin(email: $email, password: $password) { account { id email } csrfToken }
}`;

function cookieOf(res) {
  const cookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('_sockguard_session='));
  return cookie ? cookie.split(';')[0] : undefined;
}

describe('GraphQL over HTTP', () => {
  let server;
  let origin;
  // POST /api/graphql; opts: origin (default the server's own; null for none), cookie, csrf, accept, headers.
  const gql = (query, variables, opts = {}) => {
    const headers = { ...(opts.headers ?? {}) };
    const o = opts.origin === undefined ? origin : opts.origin;
    if (o) headers.Origin = o;
    if (opts.cookie) headers.Cookie = opts.cookie;
    if (opts.csrf) headers['X-CSRF-Token'] = remember(opts.csrf);
    if (opts.accept) headers.Accept = opts.accept;
    const body = { query };
    if (variables) body.variables = variables;
    if (opts.operationName) body.operationName = opts.operationName;
    return request('POST', `${server.http}/api/graphql`, { headers, body });
  };
  const register = async (email) => {
    const res = await gql(REGISTER, { email, password: PASSWORD });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.errors, undefined, res.text);
    const session = res.json.data.accountsRegister;
    return { id: session.account.id, csrf: remember(session.csrfToken), cookie: remember(cookieOf(res)) };
  };

  before(async () => {
    server = await startServer({ flags: { '--limits-registrations-per-ip': '20' } });
    origin = server.http;
  });
  after(async () => { await server?.stop(); });

  it('introspection rebuilds (buildClientSchema) to the schema of the contract', async () => {
    const res = await gql(getIntrospectionQuery({ specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true }));
    assert.equal(res.status, 200);
    assert.equal(res.json.errors, undefined, res.text);
    const served = buildClientSchema(res.json.data);
    assert.equal(withoutDescriptions(served), withoutDescriptions(buildSchema(CONTRACT)));
    assert.ok(served.getType('Account').description, 'the schema describes its types');
  });

  it('accountsMe is null when signed out, not an error', async () => {
    const res = await gql('{ accountsMe { id email } }');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.deepEqual(res.json, { data: { accountsMe: null } });
  });

  it('registers through a mutation: the cookie and CSRF token work for the REST API too (one code path)', async () => {
    const res = await gql(REGISTER, { email: '  Ada@Example.COM ', password: PASSWORD });
    assert.equal(res.status, 200, res.text);
    const { account, csrfToken } = res.json.data.accountsRegister;
    assert.equal(account.email, 'ada@example.com');
    remember(csrfToken);
    const setCookie = [res.headers['set-cookie']].flat().find((c) => c.startsWith('_sockguard_session='));
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const cookie = remember(cookieOf(res));
    const me = await request('GET', `${server.http}/api/accounts/me`, { headers: { Cookie: cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.json.id, account.id);
    assert.equal(me.json.csrf_token, csrfToken);
    const gme = await gql('{ accountsMe { id email } }', null, { cookie });
    assert.deepEqual(gme.json, { data: { accountsMe: { id: account.id, email: 'ada@example.com' } } });
  });

  it('failures carry the REST codes in extensions.code, with data null and the field path', async () => {
    await register('bob@example.com');
    const taken = await gql(REGISTER, { email: 'bob@example.com', password: PASSWORD });
    assert.equal(taken.status, 200);
    assert.equal(taken.json.data, null);
    assert.equal(taken.json.errors[0].extensions.code, 'email_taken');
    assert.deepEqual(taken.json.errors[0].path, ['accountsRegister']);

    const wrong = await gql(LOGIN, { email: 'bob@example.com', password: remember('not the password at all') });
    assert.equal(wrong.json.errors[0].extensions.code, 'invalid_credentials');
    assert.equal(cookieOf(wrong), undefined);
    const weak = await gql(REGISTER, { email: 'carl@example.com', password: remember('short') });
    assert.equal(weak.json.errors[0].extensions.code, 'weak_password');
    const good = await gql(LOGIN, { email: 'bob@example.com', password: PASSWORD });
    assert.equal(good.json.data.accountsLogin.account.email, 'bob@example.com');
    remember(good.json.data.accountsLogin.csrfToken);
    assert.ok(remember(cookieOf(good)));
  });

  it('signing in needs an allowed Origin: none or a foreign one is refused before anything runs', async () => {
    for (const o of [null, EVIL]) {
      const res = await gql(REGISTER, { email: `nobody-${o ? 'evil' : 'none'}@example.com`, password: PASSWORD },
        { origin: o });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.json.errors[0].extensions.code, 'forbidden_origin');
      assert.equal(res.json.data, undefined);
    }
    // Nothing was created: registering the same address from the right page works.
    const ok = await gql(REGISTER, { email: 'nobody-evil@example.com', password: PASSWORD });
    assert.equal(ok.json.data.accountsRegister.account.email, 'nobody-evil@example.com');
    remember(ok.json.data.accountsRegister.csrfToken);
    remember(cookieOf(ok));
  });

  it("a foreign page's mutation with the victim's cookie is refused, even with the CSRF token", async () => {
    const victim = await register('victim@example.com');
    const res = await gql('mutation { accountsLogout }', null, { origin: EVIL, cookie: victim.cookie, csrf: victim.csrf });
    assert.equal(res.status, 403);
    assert.equal(res.json.errors[0].extensions.code, 'forbidden_origin');
    // The session is untouched.
    const me = await gql('{ accountsMe { id } }', null, { cookie: victim.cookie });
    assert.deepEqual(me.json.data.accountsMe, { id: victim.id });
    // A request with the cookie and no Origin at all is refused too (a POST from a browser
    // always has one).
    const bare = await gql('{ accountsMe { id } }', null, { origin: null, cookie: victim.cookie });
    assert.equal(bare.status, 403);
  });

  it('mutations other than sign-in need the CSRF token with the cookie', async () => {
    const s = await register('dora@example.com');
    const none = await gql('mutation { socketTicket { ticket } }', null, { cookie: s.cookie });
    assert.equal(none.json.errors[0].extensions.code, 'csrf_required');
    assert.equal(none.json.data, null);
    const bad = await gql('mutation { socketTicket { ticket } }', null,
      { cookie: s.cookie, csrf: 'x'.repeat(43) });
    assert.equal(bad.json.errors[0].extensions.code, 'csrf_invalid');
    const logoutNoCsrf = await gql('mutation { accountsLogout }', null, { cookie: s.cookie });
    assert.equal(logoutNoCsrf.json.errors[0].extensions.code, 'csrf_required');
    const me = await gql('{ accountsMe { id } }', null, { cookie: s.cookie });
    assert.deepEqual(me.json.data.accountsMe, { id: s.id }, 'a refused logout must not sign out');
  });

  it('socketTicket mints a one-time ticket that opens a Phoenix socket once', async () => {
    const s = await register('eve@example.com');
    const res = await gql('mutation { socketTicket { ticket expiresIn socketUrl } }', null,
      { cookie: s.cookie, csrf: s.csrf });
    assert.equal(res.status, 200, res.text);
    const t = res.json.data.socketTicket;
    remember(t.ticket);
    assert.equal(t.expiresIn, 10);
    assert.equal(t.socketUrl, `${server.ws}/socket/websocket`);
    const conn = await acceptedRaw(socketUrl(server, { ticket: t.ticket }), { origin });
    await conn.close();
  });

  it('logout ends the session: cookie cleared, accountsMe null, the session cannot log out twice', async () => {
    const s = await register('fay@example.com');
    const res = await gql('mutation { accountsLogout }', null, { cookie: s.cookie, csrf: s.csrf });
    assert.deepEqual(res.json, { data: { accountsLogout: true } });
    const cleared = [res.headers['set-cookie']].flat().find((c) => c.startsWith('_sockguard_session='));
    assert.match(cleared, /Max-Age=0/);
    const me = await gql('{ accountsMe { id } }', null, { cookie: s.cookie });
    assert.deepEqual(me.json, { data: { accountsMe: null } });
    const again = await gql('mutation { accountsLogout }', null, { cookie: s.cookie, csrf: s.csrf });
    assert.equal(again.json.errors[0].extensions.code, 'token_invalid');
  });

  it('GET serves queries (with variables) and refuses mutations with 405', async () => {
    const q = new URLSearchParams({ query: 'query Q($x: Boolean!) { __typename @include(if: $x) }', variables: '{"x":true}' });
    const res = await request('GET', `${server.http}/api/graphql?${q}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { data: { __typename: 'Query' } });
    // The password in this query string is a credential: the access log must not show it.
    const m = new URLSearchParams({ query: LOGIN, variables: JSON.stringify({ email: 'bob@example.com', password: PASSWORD }) });
    const mut = await request('GET', `${server.http}/api/graphql?${m}`);
    assert.equal(mut.status, 405);
    assert.equal(mut.headers.allow, 'POST');
    assert.equal(cookieOf(mut), undefined);
  });

  it('a cookie GET from the same origin (Sec-Fetch-Site, no Origin) is served; cross-site is not', async () => {
    const s = await register('gus@example.com');
    const q = new URLSearchParams({ query: '{ accountsMe { id } }' });
    const same = await request('GET', `${server.http}/api/graphql?${q}`,
      { headers: { Cookie: s.cookie, 'Sec-Fetch-Site': 'same-origin' } });
    assert.deepEqual(same.json, { data: { accountsMe: { id: s.id } } });
    const cross = await request('GET', `${server.http}/api/graphql?${q}`,
      { headers: { Cookie: s.cookie, 'Sec-Fetch-Site': 'cross-site' } });
    assert.equal(cross.status, 403);
  });

  it('media types: graphql-response+json gets 400 for a document that fails before execution, json gets 200', async () => {
    const modern = await gql('{ accountsMe { id }', null, { accept: 'application/graphql-response+json' });
    assert.equal(modern.status, 400);
    assert.match(modern.headers['content-type'], /^application\/graphql-response\+json/);
    assert.equal(modern.json.data, undefined);
    assert.ok(modern.json.errors[0].locations[0].line >= 1);
    const legacy = await gql('{ accountsMe { id }', null, { accept: 'application/json' });
    assert.equal(legacy.status, 200);
    assert.match(legacy.headers['content-type'], /^application\/json/);
    assert.equal(legacy.json.data, undefined);
    assert.ok(legacy.json.errors.length >= 1);
    const neither = await gql('{ __typename }', null, { accept: 'text/html' });
    assert.equal(neither.status, 406);
    const ok = await gql('{ __typename }', null, { accept: 'application/graphql-response+json, application/json;q=0.9' });
    assert.equal(ok.status, 200);
    assert.match(ok.headers['content-type'], /^application\/graphql-response\+json/);
  });

  it('bad requests get clear errors: content type, JSON, shape, size', async () => {
    const post = (body, headers) => request('POST', `${server.http}/api/graphql`, { headers, body });
    const plain = await post('{"query":"{ __typename }"}', { 'Content-Type': 'text/plain' });
    assert.equal(plain.status, 415);
    assert.equal(plain.json.errors[0].extensions.code, 'unsupported_media_type');
    const broken = await post('{"query": ', { 'Content-Type': 'application/json' });
    assert.equal(broken.status, 400);
    assert.match(broken.json.errors[0].message, /JSON/);
    for (const body of [{}, { query: 7 }, { query: '{ __typename }', variables: [1] }, { query: '{ __typename }', operationName: 3 }]) {
      const res = await post(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.json.errors[0].extensions.code, 'bad_request');
    }
    const huge = await post({ query: `{ __typename ${' '.repeat(70000)} }` });
    assert.equal(huge.status, 413);
    const subscription = await post({ query: 'subscription { accountsUserCount { count } }' });
    assert.equal(subscription.status, 400);
    assert.match(subscription.json.errors[0].message, /WebSocket/);
  });

  it('a throttled sign-in says when to retry, in the error and as Retry-After', async () => {
    const s = await startServer({ flags: { '--limits-registrations-per-ip': '1' } });
    try {
      const first = await request('POST', `${s.http}/api/graphql`,
        { headers: { Origin: s.http }, body: { query: REGISTER, variables: { email: 'h1@example.com', password: PASSWORD } } });
      remember(first.json.data.accountsRegister.csrfToken);
      remember(cookieOf(first));
      const second = await request('POST', `${s.http}/api/graphql`,
        { headers: { Origin: s.http }, body: { query: REGISTER, variables: { email: 'h2@example.com', password: PASSWORD } } });
      assert.equal(second.json.errors[0].extensions.code, 'rate_limited');
      assert.ok(second.json.errors[0].extensions.retryAfter >= 1);
      assert.equal(second.headers['retry-after'], String(second.json.errors[0].extensions.retryAfter));
    } finally {
      await s.stop();
    }
  });
});
