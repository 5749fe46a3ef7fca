// TLS served directly (issue 9): with server.tls_cert_file / server.tls_key_file the
// listener speaks HTTPS and wss://. A test CA and two server certificates come from the
// openssl CLI (lib/tls_cert.mjs); every client here trusts only that CA.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';

import { Socket } from 'phoenix';
import WebSocket from 'ws';

import { disconnect, eventually, join, socketOpen, withTimeout, WAIT_MS } from './lib/clients.mjs';
import { rawRequest } from './lib/http.mjs';
import { runBinary, startServer } from './lib/server.mjs';
import { makeTlsFiles } from './lib/tls_cert.mjs';

const APP = 'https://app.example.com';
const PASSWORD = 'correct horse battery staple';

const files = makeTlsFiles();
after(() => files.cleanup());

// An HTTPS request over a fresh connection that trusts the test CA:
// {status, headers, text, json}.
function httpsRequest(port, method, path, { headers = {}, body } = {}) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return withTimeout(new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, method, path, ca: files.ca, agent: false,
      headers: { ...(payload ? { 'Content-Type': 'application/json' } : {}), ...headers },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => { text += d; }).on('end', () => {
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  }), WAIT_MS, `HTTPS ${method} ${path}`);
}

// A TLS handshake with the server: the certificate it presents, the ALPN protocol and the
// version agreed. `options` go to tls.connect (versions, ALPN offers).
function tlsHandshake(port, options = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: files.ca, ...options }, () => {
      const result = {
        serial: socket.getPeerCertificate().serialNumber,
        alpn: socket.alpnProtocol,
        protocol: socket.getProtocol(),
        authorized: socket.authorized,
      };
      socket.end();
      resolve(result);
    });
    socket.on('error', reject);
  }), WAIT_MS, 'TLS handshake');
}

// The official phoenix client over wss://, its `ws` transport trusting the test CA.
// `origin`: the page the client runs on, as a browser would send it (a ticket minted
// from a page is bound to that page's Origin).
function phoenixOverTls(port, params = {}, origin = undefined) {
  class TrustingWebSocket extends WebSocket {
    constructor(url, protocols) { super(url, protocols, { ca: files.ca, ...(origin ? { origin } : {}) }); }
  }
  const socket = new Socket(`wss://127.0.0.1:${port}/socket`, {
    transport: TrustingWebSocket, params, reconnectAfterMs: () => 100, rejoinAfterMs: () => 100, timeout: WAIT_MS,
  });
  const closes = [];
  socket.onClose((event) => closes.push(event.code));
  socket.connect();
  return { socket, closes };
}

function cookieOf(res) {
  return [res.headers['set-cookie'] ?? []].flat()[0] ?? '';
}

describe('TLS served directly', () => {
  let server;
  before(async () => {
    server = await startServer({
      args: ['--tls-cert-file', files.first.cert, '--tls-key-file', files.first.key,
        '--auth-allowed-origins', APP, '--hsts-max-age-s', '600'],
    });
  });
  after(async () => {
    await server?.stop().catch(() => server.kill());
    server?.cleanup();
  });

  test('the start line says https:// and wss://', () => {
    assert.match(server.stdoutLines[0], /listening on https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.stdoutLines.some((l) => /socket: +wss:\/\/127\.0\.0\.1:\d+\/socket\/websocket/.test(l)),
      server.stdoutLines.join('\n'));
  });

  test('the handshake: the configured certificate, its chain verified, TLS 1.3, ALPN http/1.1', async () => {
    const hs = await tlsHandshake(server.port, { ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(hs.serial, files.first.serial);
    assert.equal(hs.authorized, true);
    assert.equal(hs.protocol, 'TLSv1.3');
    assert.equal(hs.alpn, 'http/1.1');
  });

  test('TLS 1.2 is accepted, TLS 1.1 is refused with protocol_version', async () => {
    const tls12 = await tlsHandshake(server.port, { maxVersion: 'TLSv1.2' });
    assert.equal(tls12.protocol, 'TLSv1.2');
    await assert.rejects(
      tlsHandshake(server.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
      (e) => e.code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' || (assert.fail(`unexpected error ${e.code}: ${e.message}`)));
  });

  test('an h2-only client is refused with no_application_protocol', async () => {
    await assert.rejects(tlsHandshake(server.port, { ALPNProtocols: ['h2'] }),
      (e) => e.code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL' || (assert.fail(`unexpected error ${e.code}: ${e.message}`)));
  });

  test('plain HTTP on the TLS port is not answered in clear', async () => {
    const res = await rawRequest(server.port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n').catch(() => null);
    assert.ok(res === null || res.status === null, `answered in clear: ${res?.raw}`);
  });

  test('HTTPS API answers, with Strict-Transport-Security when configured', async () => {
    const res = await httpsRequest(server.port, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { status: 'ok' });
    assert.equal(res.headers['strict-transport-security'], 'max-age=600');
  });

  test('ticket flow over HTTPS: Secure __Host- cookie, socket_url wss://, the phoenix client over wss://', async () => {
    const email = 'tls-user@example.com';
    const reg = await httpsRequest(server.port, 'POST', '/api/accounts/register',
      { headers: { Origin: APP }, body: { email, password: PASSWORD } });
    assert.equal(reg.status, 201, reg.text);
    const setCookie = cookieOf(reg);
    assert.match(setCookie, /^__Host-/, setCookie.replace(/=[^;]*/, '=[value]'));
    assert.match(setCookie, /;\s*Secure(;|$)/i);
    assert.match(setCookie, /;\s*Path=\/(;|$)/i);
    assert.doesNotMatch(setCookie, /;\s*Domain=/i);  // the __Host- prefix forbids it
    const cookie = setCookie.split(';')[0];
    const { id, csrf_token: csrf } = reg.json;

    const ticket = await httpsRequest(server.port, 'POST', '/api/socket/ticket',
      { headers: { Origin: APP, Cookie: cookie, 'X-CSRF-Token': csrf }, body: {} });
    assert.equal(ticket.status, 200, ticket.text);
    assert.equal(ticket.json.socket_url, `wss://127.0.0.1:${server.port}/socket`);

    const { socket, closes } = phoenixOverTls(server.port, { ticket: ticket.json.ticket }, APP);
    try {
      await socketOpen(socket);
      const reply = await join(socket.channel(`user_count:${id}`));
      assert.equal(reply.status, 'ok', JSON.stringify(reply));
      assert.deepEqual(closes, []);
    } finally {
      await disconnect(socket);
    }
  });
});

describe('TLS certificate reload on SIGHUP', () => {
  let server;
  const liveCert = files.file('live/cert.pem');
  const liveKey = files.file('live/key.pem');
  before(async () => {
    mkdirSync(files.file('live'), { recursive: true });
    copyFileSync(files.first.cert, liveCert);
    copyFileSync(files.first.key, liveKey);
    server = await startServer({ args: ['--tls-cert-file', liveCert, '--tls-key-file', liveKey] });
  });
  after(async () => {
    await server?.stop().catch(() => server.kill());
    server?.cleanup();
  });

  test('without server.hsts_max_age_s there is no HSTS header', async () => {
    const res = await httpsRequest(server.port, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.headers['strict-transport-security'], undefined);
  });

  test('a new certificate: new connections see it, an open socket stays open', async () => {
    assert.equal((await tlsHandshake(server.port)).serial, files.first.serial);
    const { socket, closes } = phoenixOverTls(server.port);
    try {
      await socketOpen(socket);
      assert.equal((await join(socket.channel('room:before'))).status, 'ok');

      copyFileSync(files.second.cert, liveCert);
      copyFileSync(files.second.key, liveKey);
      server.child.kill('SIGHUP');
      await eventually(async () => (await tlsHandshake(server.port)).serial === files.second.serial,
        { what: 'the new certificate on new connections' });

      // The socket opened before the reload still works, on its first connection.
      assert.equal((await join(socket.channel('room:after'))).status, 'ok');
      assert.deepEqual(closes, []);
      assert.equal(server.exitInfo, null);
    } finally {
      await disconnect(socket);
    }
  });

  test('a broken certificate file on SIGHUP: the old one keeps serving, the log says why', async () => {
    const before = (await tlsHandshake(server.port)).serial;
    writeFileSync(liveCert, 'not a certificate\n');
    server.child.kill('SIGHUP');
    await server.waitForLog(new RegExp(`TLS certificate file ${liveCert.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `
      + 'not a PEM certificate'));
    assert.equal((await tlsHandshake(server.port)).serial, before);
    const res = await httpsRequest(server.port, 'GET', '/healthz');
    assert.equal(res.status, 200);
    assert.equal(server.exitInfo, null);
  });
});

describe('TLS start-up errors', () => {
  const serve = (args) => runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', files.file('data'), ...args]);
  const expectRefusal = async (args, message) => {
    const res = await serve(args);
    assert.equal(res.code, 2, `exit ${res.code}: ${res.stdout}${res.stderr}`);
    assert.ok(res.stderr.includes(message), `stderr lacks "${message}":\n${res.stderr}`);
    assert.doesNotMatch(res.stdout, /listening/);
  };

  test('a missing certificate file', async () => {
    const missing = files.file('missing.pem');
    await expectRefusal(['--tls-cert-file', missing, '--tls-key-file', files.first.key],
      `TLS certificate file ${missing}: cannot open it: No such file or directory`);
  });

  test('a missing key file', async () => {
    const missing = files.file('missing.key');
    await expectRefusal(['--tls-cert-file', files.first.cert, '--tls-key-file', missing],
      `TLS key file ${missing}: cannot open it: No such file or directory`);
  });

  test('an unreadable certificate file (a directory)', async () => {
    await expectRefusal(['--tls-cert-file', files.dir, '--tls-key-file', files.first.key],
      `TLS certificate file ${files.dir}: cannot read it: Is a directory`);
  });

  test('a file that is not PEM', async () => {
    const text = files.file('notes.txt');
    writeFileSync(text, 'hello\n');
    await expectRefusal(['--tls-cert-file', text, '--tls-key-file', files.first.key],
      `TLS certificate file ${text}: not a PEM certificate`);
    await expectRefusal(['--tls-cert-file', files.first.cert, '--tls-key-file', text],
      `TLS key file ${text}: not a PEM private key`);
  });

  test('a key that does not match the certificate', async () => {
    await expectRefusal(['--tls-cert-file', files.first.cert, '--tls-key-file', files.second.key],
      `TLS key file ${files.second.key}: the private key does not match the certificate in ${files.first.cert}`);
  });

  test('an encrypted key', async () => {
    await expectRefusal(['--tls-cert-file', files.first.cert, '--tls-key-file', files.encryptedKey],
      `TLS key file ${files.encryptedKey}: the private key is encrypted with a passphrase`);
  });

  test('a certificate without a key, and a key without a certificate', async () => {
    await expectRefusal(['--tls-cert-file', files.first.cert],
      'server.tls_key_file: required when server.tls_cert_file is set');
    await expectRefusal(['--tls-key-file', files.first.key],
      'server.tls_cert_file: required when server.tls_key_file is set');
  });
});
