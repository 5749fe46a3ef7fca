// Limits (DESIGN §6) with small configured values: message floods, handshake rate and
// socket caps, slow consumers. Each refusal is a connect_error the client can read.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { API_KEY, startServer } from './lib/server.mjs';
import { eventually, RawClient, rawJoined } from './lib/clients.mjs';

async function metricValue(server, name) {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

function connectError(client) {
  return client.json.find((m) => Array.isArray(m) && m[2] === 'phoenix' && m[3] === 'connect_error')?.[4];
}

describe('inbound message rate', () => {
  test('a socket over limits.messages_per_s is closed with 4429 rate_limited', async (t) => {
    const server = await startServer({ args: ['--limits-messages-per-s', '2', '--limits-message-burst', '10'], t });
    const polite = await rawJoined(server, 'room:rate');
    const flood = await rawJoined(server, 'room:rate');
    for (let i = 0; i < 40; i++) flood.send([null, `h${i}`, 'phoenix', 'heartbeat', {}]);
    assert.deepEqual(await flood.waitClosed(), { code: 4429, reason: 'rate_limited' });
    const err = connectError(flood);
    assert.equal(err.code, 4429);
    assert.equal(err.reason, 'rate_limited');
    assert.equal(typeof err.retry_after_ms, 'number');
    assert.ok(err.retry_after_ms > 0);
    // Within its burst, the other socket is untouched.
    for (let i = 0; i < 3; i++) {
      assert.equal((await polite.request('1', `p${i}`, 'room:rate', 'ping', {}))[4].status, 'ok');
    }
    assert.equal(polite.closeEvent, null);
    polite.close();
    await server.stop();
  });
});

describe('handshake caps', () => {
  test('handshakes over the per-IP burst are refused with 4429 and a retry_after_ms', async (t) => {
    const server = await startServer({
      env: { SOCKGUARD_LIMITS_HANDSHAKES_PER_IP_PER_S: '0.1', SOCKGUARD_LIMITS_HANDSHAKE_BURST_PER_IP: '3' }, t,
    });
    const ok = [];
    for (let i = 0; i < 3; i++) ok.push(await RawClient.open(server.wsUrl()));
    const refused = new RawClient(server.wsUrl());
    assert.deepEqual(await refused.waitClosed(), { code: 4429, reason: 'rate_limited' });
    const err = connectError(refused);
    assert.equal(err.reason, 'rate_limited');
    assert.ok(err.retry_after_ms > 0, `retry_after_ms ${err.retry_after_ms}`);
    assert.equal(await metricValue(server, 'sockguard_refusals_total{reason="rate_limited",code="4429"}'), 1);
    // Sockets admitted before the limit keep working.
    for (const c of ok) assert.equal((await c.request(null, '1', 'phoenix', 'heartbeat', {}))[4].status, 'ok');
    for (const c of ok) c.close();
    await server.stop();
  });

  test('sockets over limits.sockets_per_ip are refused until one closes', async (t) => {
    const server = await startServer({ args: ['--limits-sockets-per-ip', '2'], t });
    const a = await RawClient.open(server.wsUrl());
    const b = await RawClient.open(server.wsUrl());
    const third = new RawClient(server.wsUrl());
    assert.deepEqual(await third.waitClosed(), { code: 4429, reason: 'rate_limited' });
    assert.equal(connectError(third).code, 4429);
    a.close();
    await a.waitClosed();
    // The slot is freed once the server has torn the socket down.
    const again = await eventually(async () => {
      const c = new RawClient(server.wsUrl());
      try {
        await c.opened;
        await c.request(null, '1', 'phoenix', 'heartbeat', {});
        return c;
      } catch {
        c.terminate();
        return null;
      }
    }, { what: 'a socket to be admitted again' });
    assert.equal(again.closeEvent, null);
    again.close();
    b.close();
    await server.stop();
  });

  test('sockets over limits.sockets_total are refused with 4503 server_busy', async (t) => {
    const server = await startServer({ args: ['--limits-sockets-total', '2'], t });
    const a = await RawClient.open(server.wsUrl());
    const b = await RawClient.open(server.wsUrl());
    const busy = new RawClient(server.wsUrl());
    assert.deepEqual(await busy.waitClosed(), { code: 4503, reason: 'server_busy' });
    const err = connectError(busy);
    assert.equal(err.code, 4503);
    assert.equal(err.reconnect, 'jitter');
    assert.ok(err.retry_after_ms > 0);
    a.close();
    b.close();
    await server.stop();
  });
});

describe('slow consumer', () => {
  test('a socket that stops reading is closed with 4509 slow_consumer, others are unaffected', async (t) => {
    const server = await startServer({ args: ['--limits-outbound-queue-bytes', '1024'], t });
    const slow = await rawJoined(server, 'room:firehose');
    const fast = await rawJoined(server, 'room:firehose');
    slow.ws._socket.pause(); // stop reading: the kernel buffers fill, then the server's queue

    const payload = { blob: 'x'.repeat(60 * 1024) };
    const key = 'sockguard_closes_total{reason="slow_consumer",code="4509"}';
    let sent = 0;
    for (; sent < 400; sent++) {
      const res = await fetch(`${server.httpUrl}/api/broadcast`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` },
        body: JSON.stringify({ topic: 'room:firehose', event: 'chunk', payload }),
      });
      assert.equal(res.status, 202);
      if (sent % 10 === 9 && (await metricValue(server, key)) >= 1) break;
    }
    await eventually(async () => (await metricValue(server, key)) >= 1, { what: 'the slow_consumer close' });

    // The reader kept up and got every chunk.
    await eventually(() => fast.json.filter((m) => m[3] === 'chunk').length === sent + 1,
      { what: `${sent + 1} chunks on the fast socket` });
    assert.equal(fast.closeEvent, null);

    t.diagnostic(`slow_consumer after ${sent + 1} broadcasts of 60 KiB`);
    slow.ws._socket.resume();
    assert.deepEqual(await slow.waitClosed(), { code: 4509, reason: 'slow_consumer' });
    assert.ok(slow.json.filter((m) => m[3] === 'chunk').length < sent + 1);
    fast.close();
    await server.stop();
  });
});
