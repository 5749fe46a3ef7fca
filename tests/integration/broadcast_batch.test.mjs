// POST /api/broadcast/batch: up to 1000 broadcasts in one request, published in order and
// all or nothing; and the non-finite numbers (1e400) that both broadcast endpoints refuse.
//
// "Nothing delivered" is checked without waiting on a clock: after each request a sentinel
// is published on the subscriber's topic, and one topic's broadcasts arrive in the order
// they were published, so whatever the request delivered arrives before the sentinel.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { startServer } from './lib/server.mjs';
import { rawJoined } from './lib/clients.mjs';
import { fetchMetrics, postJson } from './lib/http.mjs';

const TOPIC = 'room:batch';
const OTHER = 'room:batch-other';
const MAX_BATCH = 1000;
const BATCH = '/api/broadcast/batch';
const SINGLE = '/api/broadcast';
const BROADCASTS = 'sockguard_broadcasts_total';

// n broadcasts on topic, numbered from 0 in their payload.
const items = (n, topic = TOPIC) => Array.from({ length: n }, (_, i) => ({ topic, event: 'seq', payload: { i } }));

// items(n) with broadcasts[index] merged with `change` (undefined fields are left out).
function itemsWith(n, index, change) {
  const list = items(n);
  list[index] = JSON.parse(JSON.stringify({ ...list[index], ...change }));
  return { broadcasts: list };
}

// Bodies with the number 1e400, which JSON.stringify cannot write.
const withInfinity = (payload) => `{"topic":"${TOPIC}","event":"seq","payload":${payload}}`;
const batchWithInfinity = `{"broadcasts":[${JSON.stringify(items(1)[0])},${withInfinity('{"n":1e400}')}]}`;

const BAD_BATCH = /^broadcasts: an array of 1 to 1000 is required$/;
const WRONG_KEY = 'Bearer not-the-right-key-at-all-000';

// Requests refused whole: {name, path, body, headers, status, error, message pattern}.
const REFUSALS = [
  { name: 'broadcasts[2] with a phx_ event', body: itemsWith(5, 2, { event: 'phx_x' }), message: /^broadcasts\[2\]\.event: / },
  { name: 'broadcasts[2] without a topic', body: itemsWith(5, 2, { topic: undefined }), message: /^broadcasts\[2\]\.topic: / },
  { name: 'broadcasts[999] with an empty topic', body: itemsWith(MAX_BATCH, 999, { topic: '' }),
    message: /^broadcasts\[999\]\.topic: / },
  { name: 'broadcasts[1] that is not an object', body: { broadcasts: [items(1)[0], 'x'] },
    message: /^broadcasts\[1\]: an object/ },
  { name: 'an empty array', body: { broadcasts: [] }, message: BAD_BATCH },
  { name: `${MAX_BATCH + 1} broadcasts`, body: { broadcasts: items(MAX_BATCH + 1) }, message: BAD_BATCH },
  { name: 'no broadcasts field', body: items(1)[0], message: BAD_BATCH },
  { name: 'broadcasts that is an object', body: { broadcasts: items(1)[0] }, message: BAD_BATCH },
  { name: 'no API key', headers: { Authorization: null }, status: 401, error: 'missing_credentials' },
  { name: 'a wrong API key', headers: { Authorization: WRONG_KEY }, status: 401, error: 'token_invalid' },
  { name: 'a form content type', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 415,
    error: 'unsupported_media_type' },
  { name: 'a batch with 1e400 in broadcasts[1]', body: batchWithInfinity, message: /finite/ },
  { name: 'a single broadcast with 1e400', path: SINGLE, body: withInfinity('{"n":1e400}'), message: /finite/ },
  { name: 'a single broadcast with -1e400 in a nested array', path: SINGLE, body: withInfinity('{"a":[1,{"b":-1e400}]}'),
    message: /finite/ },
].map((r) => ({
  path: BATCH, body: { broadcasts: items(3) }, headers: {}, status: 400, error: 'bad_request', message: /./, ...r,
}));

describe('POST /api/broadcast/batch', () => {
  let server;
  let subscriber;
  let sentinels = 0;
  const broadcastsTotal = async () => (await fetchMetrics(server)).get(BROADCASTS);

  // Publishes a sentinel and waits for it; returns [event, payload] of every message the
  // subscriber received from index `from` up to the sentinel.
  async function receivedSince(from) {
    const id = ++sentinels;
    assert.equal((await postJson(server, SINGLE, { topic: TOPIC, event: 'sentinel', payload: { id } })).status, 202);
    const end = await subscriber.waitFor((m) => m.json?.[3] === 'sentinel' && m.json[4].id === id,
      { from, what: `sentinel ${id}` });
    return subscriber.messages.slice(from, subscriber.messages.indexOf(end)).map((m) => [m.json[3], m.json[4]]);
  }

  // Posts a refusal's body; asserts the answer, that the broadcast counter did not move,
  // and that the subscriber received nothing.
  async function assertRefused({ path, body, headers, status, error, message }) {
    const from = subscriber.messages.length;
    const before = await broadcastsTotal();
    const res = await postJson(server, path, body, headers);
    assert.equal(res.status, status);
    const answer = await res.json();
    assert.equal(answer.error, error);
    assert.match(answer.message, message);
    assert.equal(await broadcastsTotal(), before, BROADCASTS);
    assert.deepEqual(await receivedSince(from), [], 'nothing of a refused request is delivered');
  }

  // Posts a batch of `broadcasts`; asserts 202 with the count, the counter, and that the
  // subscriber received those on TOPIC, in order.
  async function assertDelivered(broadcasts) {
    const from = subscriber.messages.length;
    const before = await broadcastsTotal();
    const res = await postJson(server, BATCH, { broadcasts });
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { status: 'accepted', count: broadcasts.length });
    assert.equal(await broadcastsTotal(), before + broadcasts.length, BROADCASTS);
    const expected = broadcasts.filter((b) => b.topic === TOPIC).map((b) => [b.event, b.payload ?? {}]);
    assert.deepEqual(await receivedSince(from), expected);
  }

  before(async () => {
    server = await startServer();
    subscriber = await rawJoined(server, TOPIC);
  });
  after(async () => {
    assert.equal(subscriber.closeEvent, null, 'the subscriber stayed connected');
    subscriber.close();
    await server.stop().catch(() => server.kill());
    server.cleanup();
  });

  test('a batch across two topics: 202 with its count; the subscriber gets its topic\'s, in order', async () => {
    const mixed = items(40).flatMap((b, i) => [b, { topic: OTHER, event: 'other', payload: { i } }]);
    mixed.push({ topic: TOPIC, event: 'bare' });  // no payload: delivered as {}
    await assertDelivered(mixed);
  });

  test(`a batch of ${MAX_BATCH} (the most) is delivered whole, in order`, async () => {
    await assertDelivered(items(MAX_BATCH));
  });

  test('a batch of one is delivered', async () => {
    await assertDelivered(items(1));
  });

  describe('refused requests deliver nothing', () => {
    for (const r of REFUSALS) {
      test(`${r.path}: ${r.name} → ${r.status} ${r.error}`, () => assertRefused(r));
    }
  });
});
