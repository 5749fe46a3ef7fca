// Secrets in query strings and credential headers never reach the log (DESIGN §5).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './lib/server.mjs';
import { RawClient, eventually } from './lib/clients.mjs';

// Distinctive values: short ones could occur in timestamps or ids by chance.
const SECRETS = {
  ticket: 'SECRETVALUEticket9f8e7d',
  token: 'T2secretTOKENvalue77aa',
  wsToken: 'wsTOKENsecret3c4d5e6f',
  csrf: 'CSRFsecret0a1b2c3d4e',
  protocolToken: 'PROTOCOLsecretBearer99',
  cookie: 'COOKIEsecretSession123',
  extra: 'EXTRAparamSecret456',
};

describe('redaction', () => {
  let server;
  before(async () => {
    server = await startServer({ env: { SOCKGUARD_AUTH_REDACT_PARAMS: 'api_secret' } });
  });
  after(async () => {
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  function assertNoSecrets() {
    const out = server.output();
    for (const [name, value] of Object.entries(SECRETS)) {
      assert.ok(!out.includes(value), `secret ${name} (${value}) appears in the output:\n${out}`);
    }
  }

  test('query secrets of an HTTP request are logged as [REDACTED], other parameters as a placeholder', async () => {
    const res = await fetch(`${server.httpUrl}/healthz?ticket=${SECRETS.ticket}&token=${SECRETS.token}&keepNAME=VISIBLEvalue&vsn=2.0.0`);
    assert.equal(res.status, 200);
    const line = await server.waitForLog(/"GET \/healthz\?/);
    assert.match(line, /\/healthz\?ticket=\[REDACTED\]&token=\[REDACTED\]&\[REDACTED\]=\[REDACTED\]&vsn=2\.0\.0/);
    assert.ok(!server.output().includes('keepNAME') && !server.output().includes('VISIBLEvalue'));
    assertNoSecrets();
  });

  test('query secrets of a WebSocket handshake are logged as [REDACTED]', async () => {
    // _csrf_token without an Origin is refused (cookie auth needs an allowed Origin): the
    // refusal is logged, with the target redacted.
    // (A raw client that does not ask for connect_error: the refusal is plain HTTP 403.)
    const c = new RawClient(
      `ws://127.0.0.1:${server.port}/socket/websocket?token=${SECRETS.wsToken}&_csrf_token=${SECRETS.csrf}&vsn=2.0.0`,
      { headers: { Cookie: `_sockguard_session=${SECRETS.cookie}` } },
    );
    await assert.rejects(c.opened, /unexpected HTTP 403/);
    const line = await server.waitForLog(/"GET \/socket\/websocket\?token=/);
    assert.match(line, /token=\[REDACTED\]&_csrf_token=\[REDACTED\]&vsn=2\.0\.0/);
    assertNoSecrets();
  });

  test('an accepted handshake is logged redacted too, as are configured parameter names', async () => {
    const c = await RawClient.open(
      `ws://127.0.0.1:${server.port}/socket/websocket?vsn=2.0.0&api_secret=${SECRETS.extra}&Token=${SECRETS.token}`,
    );
    const line = await server.waitForLog(/api_secret=/);
    assert.match(line, /101 accepted/);
    assert.match(line, /api_secret=\[REDACTED\]&Token=\[REDACTED\]/);
    c.close();
    assertNoSecrets();
  });

  test('a token in Sec-WebSocket-Protocol never reaches the log', async () => {
    const encoded = Buffer.from(SECRETS.protocolToken).toString('base64').replace(/=+$/, '');
    const c = new RawClient(server.wsUrl(), { protocols: ['phoenix', `base64url.bearer.phx.${encoded}`] });
    const closed = await c.waitClosed();
    assert.deepEqual(closed, { code: 4401, reason: 'token_invalid' });
    await eventually(() => server.stderrLines.some((l) => /refused reason=token_invalid/.test(l)),
      { what: 'the refusal log line' });
    assert.ok(!server.output().includes(encoded), 'the encoded token appears in the output');
    assertNoSecrets();
  });
});
