// JWT verification (DESIGN §3): the algorithm is pinned by configuration; `alg: none`,
// algorithm confusion, wrong keys and tampering are token_invalid; exp is required and an
// expired token is token_expired; nbf/iat/aud/iss/max_age are enforced; a `jti` makes a
// token one-time. Tokens are presented the way the official client does (authToken ->
// Sec-WebSocket-Protocol), and to POST /api/socket/ticket.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, tempDir, writeTemp, HS_SECRET } from './lib/server.mjs';
import {
  signJwt, nowS, postTicket, socketUrl, refusedRaw, acceptedRaw, bearerProtocol, withPhoenix, expectPhoenixRefused, sleep,
} from './lib/clients.mjs';
import { rmSync } from 'node:fs';

const AUD = 'sockguard';
const ISS = 'https://issuer.test';

async function phoenixAccepts(server, token, sub) {
  await withPhoenix(server, { authToken: token }, async (client) => {
    const joined = await client.join(`user_count:${sub}`);
    assert.equal(joined.status, 'ok', `join refused: ${JSON.stringify(joined.response)} ${JSON.stringify(client.messages)}`);
    assert.equal(client.socket.conn.protocol, 'phoenix');
  });
}

async function phoenixRefuses(server, token, code, reason) {
  await withPhoenix(server, { authToken: token }, (client) => expectPhoenixRefused(client, code, reason));
}

describe('JWT, HS256 pinned, with audience, issuer and max age', () => {
  let server;
  const claims = (extra = {}) => ({ sub: '42', aud: AUD, iss: ISS, iat: nowS(), exp: nowS() + 600, ...extra });
  const sign = (c, opts = {}) => signJwt(c, { key: HS_SECRET, ...opts });
  const without = (obj, ...names) => Object.fromEntries(Object.entries(obj).filter(([k]) => !names.includes(k)));

  before(async () => {
    server = await startServer({
      flags: {
        '--auth-jwt-secret': HS_SECRET, '--auth-jwt-audience': AUD, '--auth-jwt-issuer': ISS, '--auth-jwt-max-age-s': '3600',
      },
    });
  });
  after(() => server?.stop());

  it('accepts a well-formed token through the official client, which gets the phoenix subprotocol', async () => {
    await phoenixAccepts(server, sign(claims()), '42');
  });

  it('alg none is token_invalid, in every spelling', async () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await phoenixRefuses(server, signJwt(claims(), { alg, signAs: 'none' }), 4401, 'token_invalid');
    }
    // none with a valid HS256 signature appended, and an HS256 header with an empty signature.
    const real = sign(claims());
    const [, payload, sig] = real.split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await phoenixRefuses(server, `${noneHeader}.${payload}.${sig}`, 4401, 'token_invalid');
    await phoenixRefuses(server, `${noneHeader}.${payload}.`, 4401, 'token_invalid');
    await phoenixRefuses(server, real.slice(0, real.lastIndexOf('.') + 1), 4401, 'token_invalid');
  });

  it('another algorithm than the pinned one is token_invalid, even with the right secret', async () => {
    await phoenixRefuses(server, signJwt(claims(), { alg: 'HS512', key: HS_SECRET }), 4401, 'token_invalid');
    await phoenixRefuses(server, signJwt(claims(), { alg: 'HS384', key: HS_SECRET }), 4401, 'token_invalid');
    // No alg at all, and a critical extension nobody understands.
    const noAlg = signJwt(claims(), { key: HS_SECRET, header: { alg: undefined }, signAs: 'HS256' });
    await phoenixRefuses(server, noAlg, 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims(), { header: { crit: ['exp'] } }), 4401, 'token_invalid');
  });

  it('a wrong key or a tampered token is token_invalid', async () => {
    await phoenixRefuses(server, signJwt(claims(), { key: `${HS_SECRET}-other` }), 4401, 'token_invalid');
    const real = sign(claims());
    const [h, , s] = real.split('.');
    const otherPayload = Buffer.from(JSON.stringify(claims({ sub: '1' }))).toString('base64url');
    await phoenixRefuses(server, `${h}.${otherPayload}.${s}`, 4401, 'token_invalid');
    const sigBytes = Buffer.from(s, 'base64url');
    sigBytes[0] ^= 1;
    await phoenixRefuses(server, `${h}.${real.split('.')[1]}.${sigBytes.toString('base64url')}`, 4401, 'token_invalid');
    for (const junk of ['not-a-jwt', 'a.b', 'a.b.c', `${real}.x`, `${h}..${s}`]) {
      await phoenixRefuses(server, junk, 4401, 'token_invalid');
    }
  });

  it('an expired token is token_expired; within the leeway (30 s) it is still accepted', async () => {
    await phoenixRefuses(server, sign(claims({ iat: nowS() - 600, exp: nowS() - 60 })), 4401, 'token_expired');
    // Accepted where the leeway counts, at verification: the ticket endpoint trades it. (A
    // socket it opens is closed token_expired by the live-expiry check, which has no leeway.)
    const res = await postTicket(server, { bearer: sign(claims({ iat: nowS() - 600, exp: nowS() - 10 })) });
    assert.equal(res.status, 200, res.text);
  });

  it('nbf or iat in the future is token_invalid (beyond the leeway)', async () => {
    await phoenixRefuses(server, sign(claims({ nbf: nowS() + 120 })), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ iat: nowS() + 120, exp: nowS() + 600 })), 4401, 'token_invalid');
    await phoenixAccepts(server, sign(claims({ nbf: nowS() + 10 })), '42');
  });

  it('aud must name this server', async () => {
    await phoenixRefuses(server, sign(claims({ aud: 'someone-else' })), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(without(claims(), 'aud')), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ aud: ['a', 'b'] })), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ aud: 'SOCKGUARD' })), 4401, 'token_invalid');
    await phoenixAccepts(server, sign(claims({ aud: ['other', AUD] })), '42');
  });

  it('iss must be the configured issuer', async () => {
    await phoenixRefuses(server, sign(claims({ iss: 'https://evil.test' })), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(without(claims(), 'iss')), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ iss: `${ISS}/` })), 4401, 'token_invalid');
  });

  it('exp is required and must be a number', async () => {
    await phoenixRefuses(server, sign(without(claims(), 'exp')), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ exp: String(nowS() + 600) })), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ exp: null })), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ exp: 1e300 })), 4401, 'token_invalid');
  });

  it('a lifetime over max_age_s is token_invalid', async () => {
    await phoenixRefuses(server, sign(claims({ iat: nowS(), exp: nowS() + 7200 })), 4401, 'token_invalid');
    // Leaving iat out does not get around it.
    await phoenixRefuses(server, sign(without(claims({ exp: nowS() + 7200 }), 'iat')), 4401, 'token_invalid');
    // Nor does backdating iat to hide an old token.
    await phoenixRefuses(server, sign(claims({ iat: nowS() - 7000, exp: nowS() + 600 })), 4401, 'token_invalid');
    await phoenixAccepts(server, sign(claims({ iat: nowS(), exp: nowS() + 3500 })), '42');
  });

  it('a subject is required; a numeric one works', async () => {
    await phoenixRefuses(server, sign(without(claims(), 'sub')), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ sub: '' })), 4401, 'token_invalid');
    await phoenixRefuses(server, sign(claims({ sub: { id: 1 } })), 4401, 'token_invalid');
    await phoenixAccepts(server, sign(claims({ sub: 99 })), '99');
  });

  it('a token with a jti works once', async () => {
    const token = sign(claims({ jti: crypto.randomUUID() }));
    await phoenixAccepts(server, token, '42');
    await phoenixRefuses(server, token, 4401, 'token_invalid');
    await refusedRaw(socketUrl(server), { protocols: ['phoenix', bearerProtocol(token)] }, 4401, 'token_invalid');
    // A different jti is a different token.
    await phoenixAccepts(server, sign(claims({ jti: crypto.randomUUID() })), '42');
  });

  it('a jti stays spent for as long as the token is accepted, leeway included', async () => {
    // exp a second ago, leeway 30 s: the token is still good until exp + 30 s, so must its
    // jti be spent for as long.
    const token = sign(claims({ iat: nowS() - 2, exp: nowS() - 1, jti: crypto.randomUUID() }));
    await phoenixAccepts(server, token, '42');
    // Past the next ticket-store sweep (once a second), still inside the leeway.
    await sleep(1100);
    await phoenixRefuses(server, token, 4401, 'token_invalid');
  });

  it('a jti spent on a ticket cannot open a socket afterwards', async () => {
    const token = sign(claims({ jti: crypto.randomUUID() }));
    const res = await postTicket(server, { bearer: token });
    assert.equal(res.status, 200, res.text);
    await phoenixRefuses(server, token, 4401, 'token_invalid');
    const again = await postTicket(server, { bearer: token });
    assert.equal(again.status, 401);
    assert.equal(again.json.error, 'token_invalid');
  });

  it('the url-safe base64 alphabet is accepted in the subprotocol as well', async () => {
    const token = sign(claims());
    const urlsafe = `base64url.bearer.phx.${Buffer.from(token).toString('base64url')}`;
    const conn = await acceptedRaw(socketUrl(server), { protocols: ['phoenix', urlsafe] });
    assert.equal(conn.protocol, 'phoenix');
    await conn.close();
    await refusedRaw(socketUrl(server), { protocols: ['phoenix', 'base64url.bearer.phx.%%%'] }, 4401, 'token_invalid');
  });

  it('the ticket endpoint applies the same checks', async () => {
    const expired = await postTicket(server, { bearer: sign(claims({ iat: nowS() - 600, exp: nowS() - 60 })) });
    assert.equal(expired.status, 401);
    assert.equal(expired.json.error, 'token_expired');
    const none = await postTicket(server, { bearer: signJwt(claims(), { alg: 'none', signAs: 'none' }) });
    assert.equal(none.status, 401);
    assert.equal(none.json.error, 'token_invalid');
    const wrongKey = await postTicket(server, { bearer: signJwt(claims(), { key: `${HS_SECRET}-other` }) });
    assert.equal(wrongKey.status, 401);
    assert.equal(wrongKey.json.error, 'token_invalid');
    const wrongAud = await postTicket(server, { bearer: sign(claims({ aud: 'x' })) });
    assert.equal(wrongAud.status, 401);
    assert.equal(wrongAud.json.error, 'token_invalid');
    const ok = await postTicket(server, { bearer: sign(claims()) });
    assert.equal(ok.status, 200, ok.text);
  });
});

describe('JWT with public-key algorithms', () => {
  const dir = tempDir('sockguard-keys-');
  after(() => rmSync(dir, { recursive: true, force: true }));
  const claims = (extra = {}) => ({ sub: '7', iat: nowS(), exp: nowS() + 600, ...extra });

  async function withServer(alg, publicKey, fn) {
    const pem = publicKey.export({ type: 'spki', format: 'pem' });
    const file = writeTemp(dir, `${alg}.pub.pem`, pem);
    const server = await startServer({ flags: { '--auth-jwt-alg': alg, '--auth-jwt-public-key-file': file } });
    try {
      await fn(server, pem);
    } finally {
      await server.stop();
    }
  }

  it('RS256: a properly signed token works; HS256 keyed with the public key (confusion) does not', async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    await withServer('RS256', publicKey, async (server, pem) => {
      await phoenixAccepts(server, signJwt(claims(), { alg: 'RS256', key: privateKey }), '7');
      // The classic confusion attack: the public key's PEM text as the HMAC secret.
      await phoenixRefuses(server, signJwt(claims(), { alg: 'HS256', key: pem }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'HS256', key: pem.trim() }), 4401, 'token_invalid');
      const der = publicKey.export({ type: 'spki', format: 'der' });
      await phoenixRefuses(server, signJwt(claims(), { alg: 'HS256', key: der }), 4401, 'token_invalid');
      // ...or with the header claiming RS256 and an HMAC signature.
      await phoenixRefuses(server, signJwt(claims(), { alg: 'RS256', key: pem, signAs: 'HS256' }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'none', signAs: 'none' }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'RS256', key: other.privateKey }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims({ exp: nowS() - 120, iat: nowS() - 600 }), { alg: 'RS256', key: privateKey }),
        4401, 'token_expired');
      // The ticket endpoint agrees.
      const confused = await postTicket(server, { bearer: signJwt(claims(), { alg: 'HS256', key: pem }) });
      assert.equal(confused.status, 401);
      assert.equal(confused.json.error, 'token_invalid');
    });
  });

  it('ES256: a properly signed (raw r||s) token works; DER signatures, other curves and algs do not', async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const other = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await withServer('ES256', publicKey, async (server, pem) => {
      await phoenixAccepts(server, signJwt(claims(), { alg: 'ES256', key: privateKey }), '7');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'ES256', key: privateKey, signAs: 'ES256-DER' }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'ES256', key: other.privateKey }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'HS256', key: pem }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'none', signAs: 'none' }), 4401, 'token_invalid');
      // An all-zero signature (r = s = 0) must never verify.
      const input = signJwt(claims(), { alg: 'ES256', key: privateKey }).split('.').slice(0, 2).join('.');
      await phoenixRefuses(server, `${input}.${Buffer.alloc(64).toString('base64url')}`, 4401, 'token_invalid');
    });
  });

  it('EdDSA: a properly signed token works; others do not', async () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    const other = crypto.generateKeyPairSync('ed25519');
    await withServer('EdDSA', publicKey, async (server, pem) => {
      await phoenixAccepts(server, signJwt(claims(), { alg: 'EdDSA', key: privateKey }), '7');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'EdDSA', key: other.privateKey }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'HS256', key: pem }), 4401, 'token_invalid');
      await phoenixRefuses(server, signJwt(claims(), { alg: 'Ed25519', key: privateKey, signAs: 'EdDSA' }), 4401, 'token_invalid');
    });
  });

  it('refuses to start with a key that does not fit the algorithm, or a short HS secret', async () => {
    const rsa1024 = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const ed = crypto.generateKeyPairSync('ed25519').publicKey;
    const cases = [
      ['RS256', rsa1024], ['ES256', p384], ['RS256', ed], ['EdDSA', p384],
    ];
    for (const [alg, key] of cases) {
      const file = writeTemp(dir, `bad-${alg}.pem`, key.export({ type: 'spki', format: 'pem' }));
      await assert.rejects(startServer({ flags: { '--auth-jwt-alg': alg, '--auth-jwt-public-key-file': file } }), /exited/);
    }
    await assert.rejects(startServer({ flags: { '--auth-jwt-secret': 'too-short' } }), /exited/);
  });
});
