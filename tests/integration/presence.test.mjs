// Phoenix Presence with the stock client's `Presence` class (phoenix 1.8.16) against the
// real binary: presence_state after the join reply, presence_diff to everyone in the topic,
// one key per user with a meta per socket, leaves and disconnects, a late joiner's state,
// and topics outside channels.presence_topics left alone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Presence } from 'phoenix';

import { API_KEY, runBinary, startServer } from './lib/server.mjs';
import { eventually, join, phoenixSocket, receive, socketOpen } from './lib/clients.mjs';
import { fetchMetrics } from './lib/http.mjs';
import { nowS, signJwt } from './security/lib/clients.mjs';

const SECRET = 'presence-test-secret-0123456789abcdef';
const jwtFor = (sub) => signJwt({ sub, iat: nowS(), exp: nowS() + 600 }, { key: SECRET });

const PRESENCE_ENV = {
  SOCKGUARD_AUTH_JWT_SECRET: SECRET,
  SOCKGUARD_CHANNELS_PUBLIC_TOPICS: 'room:*,chat:*',
  SOCKGUARD_CHANNELS_PRESENCE_TOPICS: 'room:*',
};

// Everything a joined channel saw, in order, and the stock Presence kept over it, with
// every onJoin/onLeave/onSync call.
function watch(socket, topic, params = {}) {
  const channel = socket.channel(topic, params);
  const seen = [];
  const calls = { joins: [], leaves: [], syncs: 0 };
  const original = channel.onMessage.bind(channel);
  channel.onMessage = (event, payload, ref) => {
    seen.push({ event, payload });
    return original(event, payload, ref);
  };
  const presence = new Presence(channel);
  presence.onJoin((key, current, joined) => calls.joins.push({ key, current, joined }));
  presence.onLeave((key, current, left) => calls.leaves.push({ key, current, left }));
  presence.onSync(() => { calls.syncs += 1; });
  return { socket, channel, seen, calls, presence };
}

// {key: [client names or '-', sorted]} of what the Presence lists.
function summary(presence) {
  const out = {};
  presence.list((key, { metas }) => { out[key] = metas.map((m) => m.client ?? '-').sort(); });
  return out;
}

const refsOf = (presence) => presence.list((key, { metas }) => metas.map((m) => `${key}/${m.phx_ref}`)).flat().sort();

async function until(w, expected, what) {
  await eventually(() => JSON.stringify(summary(w.presence)) === JSON.stringify(expected), {
    what: `${what}: ${JSON.stringify(expected)} (have ${JSON.stringify(summary(w.presence))})`,
  });
}

async function postBroadcast(server, body) {
  const res = await fetch(`${server.httpUrl}/api/broadcast`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${API_KEY}` },
    body: JSON.stringify(body),
  });
  return res.status;
}

describe('Phoenix Presence', () => {
  let server;
  const sockets = [];
  const connect = async (user, opts = {}) => {
    const s = phoenixSocket(server, user ? { authToken: jwtFor(user), ...opts } : opts);
    sockets.push(s);
    await socketOpen(s);
    return s;
  };
  const joined = async (w) => {
    const reply = await join(w.channel);
    assert.equal(reply.status, 'ok', JSON.stringify(reply));
    await eventually(() => w.seen.some((m) => m.event === 'presence_state'), { what: `presence_state on ${w.channel.topic}` });
    return w;
  };

  before(async () => {
    server = await startServer({ env: PRESENCE_ENV });
  });
  after(async () => {
    for (const s of sockets) {
      // The stock client keeps rejoin and push timers per channel (the revoked sockets
      // are rejoining): stop them, or they hold the test process for their timeout.
      for (const channel of s.channels) {
        channel.rejoinTimer.reset();
        channel.joinPush.cancelTimeout();
      }
      s.disconnect();
    }
    if (server) {
      await server.stop().catch(() => server.kill());
      server.cleanup();
    }
  });

  test('a joiner gets presence_state right after its join reply, with its own meta', async () => {
    const before = nowS();
    const w = await joined(watch(await connect('1'), 'room:first', { client: 'web' }));
    // (The client hands each reply to onMessage a second time as chan_reply_<ref>.)
    const events = w.seen.map((m) => m.event).filter((e) => !e.startsWith('chan_reply_'));
    const reply = events.indexOf('phx_reply');
    assert.ok(reply >= 0, events.join());
    assert.equal(events[reply + 1], 'presence_state', `events: ${events.join()}`);

    const state = w.seen.find((m) => m.event === 'presence_state').payload;
    assert.deepEqual(Object.keys(state), ['1']);
    assert.equal(state['1'].metas.length, 1);
    const meta = state['1'].metas[0];
    assert.deepEqual(Object.keys(meta).sort(), ['client', 'online_at', 'phx_ref']);
    assert.equal(meta.client, 'web');
    assert.equal(typeof meta.phx_ref, 'string');
    assert.ok(meta.phx_ref.length >= 8, meta.phx_ref);
    assert.ok(Number.isInteger(meta.online_at) && meta.online_at >= before && meta.online_at <= nowS() + 1, String(meta.online_at));

    assert.deepEqual(summary(w.presence), { 1: ['web'] });
    assert.ok(w.calls.syncs >= 1);
    // onJoin for its own key, from the state; its own join diff, which follows the state as
    // on Phoenix (track, then list), comes again with the same phx_ref and changes nothing.
    await eventually(() => w.seen.some((m) => m.event === 'presence_diff'), { what: 'its own join diff' });
    assert.equal(w.calls.joins[0].key, '1');
    assert.equal(w.calls.joins[0].current, undefined);
    for (const j of w.calls.joins) assert.deepEqual(j.joined.metas.map((m) => m.phx_ref), [meta.phx_ref]);
    assert.deepEqual(summary(w.presence), { 1: ['web'] });
  });

  test('two users, one with two sockets: one key with a meta per socket; leave and disconnect', async () => {
    const topic = 'room:two-users';
    const a1 = await joined(watch(await connect('1'), topic, { client: 'web' }));
    const b = await joined(watch(await connect('2'), topic));
    const a2socket = await connect('1');
    const a2 = await joined(watch(a2socket, topic, { client: 'phone' }));

    const everyone = { 1: ['phone', 'web'], 2: ['-'] };
    for (const [name, w] of Object.entries({ a1, b, a2 })) await until(w, everyone, `${name} sees everyone`);

    // The same user's two sockets are one key with two metas, told apart by phx_ref.
    const metas = a1.presence.list((key, p) => (key === '1' ? p.metas : null)).find(Boolean);
    assert.equal(new Set(metas.map((m) => m.phx_ref)).size, 2);
    for (const m of metas) assert.ok(Number.isInteger(m.online_at));
    // a1 saw user 2 arrive as a new key and its own user's second socket as a join with a
    // current presence (the stock client's onJoin(key, current, joined)).
    const bJoin = a1.calls.joins.find((j) => j.key === '2');
    assert.ok(bJoin && bJoin.current === undefined, JSON.stringify(a1.calls.joins));
    const phoneJoin = a1.calls.joins.find((j) => j.key === '1' && j.joined.metas.some((m) => m.client === 'phone'));
    assert.ok(phoneJoin && phoneJoin.current.metas.length === 1, JSON.stringify(a1.calls.joins));

    // The phone leaves the channel: user 1 stays with one meta.
    assert.equal((await receive(a2.channel.leave())).status, 'ok');
    for (const w of [a1, b]) await until(w, { 1: ['web'], 2: ['-'] }, 'after the phone left');
    const phoneLeave = b.calls.leaves.find((l) => l.key === '1');
    assert.ok(phoneLeave, JSON.stringify(b.calls.leaves));
    assert.deepEqual(phoneLeave.left.metas.map((m) => m.client), ['phone']);
    assert.deepEqual(phoneLeave.current.metas.map((m) => m.client), ['web']);

    // User 2 disconnects: its key leaves.
    b.socket.disconnect();
    await until(a1, { 1: ['web'] }, 'after user 2 disconnected');
    const bLeave = a1.calls.leaves.find((l) => l.key === '2');
    assert.ok(bLeave && bLeave.current.metas.length === 0, JSON.stringify(a1.calls.leaves));

    // The phone joins again: a new meta with a new phx_ref.
    const oldRefs = refsOf(a1.presence);
    const again = await joined(watch(a2socket, topic, { client: 'phone' }));
    await until(a1, { 1: ['phone', 'web'] }, 'after the phone joined again');
    await until(again, { 1: ['phone', 'web'] }, 'the phone itself');
    assert.equal(refsOf(a1.presence).filter((r) => !oldRefs.includes(r)).length, 1);
    assert.deepEqual(refsOf(again.presence), refsOf(a1.presence));
  });

  test('a user disconnected by the server API leaves the list', async () => {
    const topic = 'room:revoke';
    const observer = await joined(watch(await connect('21'), topic));
    await joined(watch(await connect('20'), topic, { client: 'a' }));
    await joined(watch(await connect('20'), topic, { client: 'b' }));
    await until(observer, { 20: ['a', 'b'], 21: ['-'] }, 'both of user 20');
    const res = await fetch(`${server.httpUrl}/api/users/20/disconnect`, {
      method: 'POST', headers: { Authorization: `Bearer ${API_KEY}` },
    });
    assert.ok(res.status < 300, String(res.status));
    await until(observer, { 21: ['-'] }, 'after the disconnect');
    const left = observer.calls.leaves.filter((l) => l.key === '20').flatMap((l) => l.left.metas.map((m) => m.client));
    assert.deepEqual(left.sort(), ['a', 'b']);
  });

  test('the state a late joiner gets is complete and matches what the others hold', async () => {
    const topic = 'room:late';
    const watchers = [];
    for (const [user, client] of [['10', 'a'], ['11', 'b'], ['10', 'c'], ['12', 'd'], ['13', 'e']]) {
      watchers.push(await joined(watch(await connect(user), topic, { client })));
    }
    // Some come and go before the late joiner arrives.
    watchers[1].socket.disconnect();
    assert.equal((await receive(watchers[3].channel.leave())).status, 'ok');
    const expected = { 10: ['a', 'c'], 13: ['e'] };
    await until(watchers[0], expected, 'the first watcher');

    const late = await joined(watch(await connect('14'), topic, { client: 'late' }));
    // Its very first presence_state already holds everyone (and itself).
    const first = late.seen.find((m) => m.event === 'presence_state').payload;
    const firstSummary = Object.fromEntries(Object.entries(first).map(([k, p]) => [k, p.metas.map((m) => m.client).sort()]));
    assert.deepEqual(firstSummary, { ...expected, 14: ['late'] });
    // The late joiner's join diff reaches the others one by one: compare once each has it.
    await until(watchers[0], { ...expected, 14: ['late'] }, 'the first watcher sees the late joiner');
    await until(watchers[4], { ...expected, 14: ['late'] }, 'the last watcher sees the late joiner');
    assert.deepEqual(refsOf(late.presence), refsOf(watchers[0].presence));
    assert.deepEqual(refsOf(late.presence), refsOf(watchers[4].presence));
  });

  test('many sockets joining at once converge on one complete list', async () => {
    const topic = 'room:crowd';
    const N = 30;
    const ws = await Promise.all(Array.from({ length: N }, async (_, i) => watch(await connect(String(100 + (i % 20))), topic, { client: `c${i}` })));
    await Promise.all(ws.map((w) => joined(w)));
    const expected = {};
    for (let i = 0; i < N; i++) (expected[String(100 + (i % 20))] ??= []).push(`c${i}`);
    for (const k of Object.keys(expected)) expected[k].sort();
    await Promise.all(ws.map((w, i) => until(w, expected, `watcher ${i}`)));
    const refs = refsOf(ws[0].presence);
    assert.equal(refs.length, N);
    for (const w of ws) assert.deepEqual(refsOf(w.presence), refs);
  });

  test('observers joining during churn on two shards all end with the true list', async () => {
    const topic = 'room:churn';
    const rounds = 5;
    const churners = await Promise.all(Array.from({ length: 16 }, async (_, i) => ({ i, socket: await connect(String(300 + i)) })));
    const observers = [];
    const churn = churners.map(async ({ i, socket }) => {
      for (let r = 0; r < rounds; r++) {
        const ch = socket.channel(topic, { client: `r${r}` });
        assert.equal((await join(ch)).status, 'ok');
        await new Promise((resolve) => setTimeout(resolve, (i * 7 + r * 13) % 20));
        // Odd churners stay after their last round; even ones leave every time.
        if (r < rounds - 1 || i % 2 === 0) assert.equal((await receive(ch.leave())).status, 'ok');
      }
    });
    const arrivals = Array.from({ length: 8 }, async (_, k) => {
      await new Promise((resolve) => setTimeout(resolve, k * 15));
      observers.push(await joined(watch(await connect(String(400 + k)), topic)));
    });
    await Promise.all([...churn, ...arrivals]);

    const expected = {};
    for (let i = 1; i < 16; i += 2) expected[String(300 + i)] = [`r${rounds - 1}`];
    for (let k = 0; k < 8; k++) expected[String(400 + k)] = ['-'];
    await Promise.all(observers.map((w, k) => until(w, expected, `observer ${k}`)));
    const late = await joined(watch(await connect('499'), topic));
    const first = late.seen.find((m) => m.event === 'presence_state').payload;
    assert.deepEqual(Object.keys(first).sort(), [...Object.keys(expected), '499'].sort());
    // 499's join diff reaches the observers one by one: compare their refs once each has it.
    await Promise.all(observers.map((w, k) => until(w, { ...expected, 499: ['-'] }, `observer ${k} with 499`)));
    for (const w of observers) assert.deepEqual(refsOf(w.presence), refsOf(observers[0].presence));
  });

  test('a topic not in presence_topics gets no presence events', async () => {
    const topic = 'chat:plain';
    const a = watch(await connect('1'), topic, { client: 'web' });
    const b = watch(await connect('2'), topic);
    assert.equal((await join(a.channel)).status, 'ok');
    assert.equal((await join(b.channel)).status, 'ok');
    assert.equal((await receive(b.channel.leave())).status, 'ok');
    // A broadcast published after all of that reaches a after anything they caused.
    assert.equal(await postBroadcast(server, { topic, event: 'marker', payload: {} }), 202);
    await eventually(() => a.seen.some((m) => m.event === 'marker'), { what: 'marker' });
    const presenceEvents = [...a.seen, ...b.seen].filter((m) => m.event.startsWith('presence_'));
    assert.deepEqual(presenceEvents, []);
    assert.deepEqual(summary(a.presence), {});
  });

  test('an anonymous socket sees who is there but is not listed', async () => {
    const topic = 'room:anon';
    const user = await joined(watch(await connect('5'), topic));
    const anon = await joined(watch(await connect(null), topic));
    await until(anon, { 5: ['-'] }, 'the anonymous socket');
    // Its join changed nothing for the user: no diff beyond the user's own.
    assert.equal((await receive(user.channel.push('ping', {}))).status, 'ok');
    assert.deepEqual(summary(user.presence), { 5: ['-'] });
    assert.equal(user.seen.filter((m) => m.event === 'presence_diff').every((m) => !('' in m.payload.joins)), true);
  });

  test('a client cannot push presence events on a presence topic; elsewhere they are ordinary', async () => {
    const liar = await joined(watch(await connect('8'), 'room:spoof'));
    const victim = await joined(watch(await connect('9'), 'room:spoof'));
    await until(victim, { 8: ['-'], 9: ['-'] }, 'both');
    const fake = { joins: { 666: { metas: [{ phx_ref: 'fake', online_at: 0 }] } }, leaves: {} };
    for (const event of ['presence_diff', 'presence_state']) {
      assert.deepEqual(await receive(liar.channel.push(event, fake)), { status: 'error', response: { reason: 'reserved event' } });
    }
    assert.equal(await postBroadcast(server, { topic: 'room:spoof', event: 'marker', payload: {} }), 202);
    await eventually(() => victim.seen.some((m) => m.event === 'marker'), { what: 'marker' });
    assert.deepEqual(summary(victim.presence), { 8: ['-'], 9: ['-'] });

    const plain = watch(await connect('8'), 'chat:spoof');
    assert.equal((await join(plain.channel)).status, 'ok');
    assert.equal((await receive(plain.channel.push('presence_diff', fake))).status, 'ok');
  });

  test('a bad client name refuses the join; other topics ignore it', async () => {
    const socket = await connect('6');
    for (const client of ['', 'x'.repeat(65), 42, 'line\nbreak']) {
      const reply = await join(socket.channel('room:badclient', { client }));
      assert.deepEqual(reply, { status: 'error', response: { reason: 'invalid client' } }, JSON.stringify(client));
    }
    const fine = await join(socket.channel('chat:badclient', { client: 42 }));
    assert.equal(fine.status, 'ok');
    const longest = await joined(watch(socket, 'room:longclient', { client: 'é'.repeat(32) }));
    assert.deepEqual(summary(longest.presence), { 6: ['é'.repeat(32)] });
  });

  test('/metrics counts the metas tracked', async () => {
    const metrics = await fetchMetrics(server);
    assert.equal(metrics.get('sockguard_presence_nodes'), 0);  // one node
    const before = metrics.get('sockguard_presences');
    assert.ok(Number.isInteger(before), String(before));
    const socket = await connect('7');
    await joined(watch(socket, 'room:metrics'));
    await eventually(async () => (await fetchMetrics(server)).get('sockguard_presences') === before + 1, { what: 'one more' });
    socket.disconnect();
    await eventually(async () => (await fetchMetrics(server)).get('sockguard_presences') === before, { what: 'back' });
  });
});

describe('Phoenix Presence, V1 and a duplicate join', () => {
  test('a V1 socket gets presence_state and diffs too', async (t) => {
    const server = await startServer({ env: PRESENCE_ENV, t });
    // The stock client speaks V1 (JSON objects) when given these coders, as 1.3-era clients did.
    const v1 = phoenixSocket(server, {
      authToken: jwtFor('1'),
      vsn: '1.0.0',
      encode: (message, callback) => callback(JSON.stringify(message)),
      decode: (raw, callback) => callback(JSON.parse(raw)),
    });
    const v2 = phoenixSocket(server, { authToken: jwtFor('2') });
    t.after(() => { v1.disconnect(); v2.disconnect(); });
    await Promise.all([socketOpen(v1), socketOpen(v2)]);
    const a = watch(v1, 'room:v1', { client: 'old' });
    assert.equal((await join(a.channel)).status, 'ok');
    const b = watch(v2, 'room:v1');
    assert.equal((await join(b.channel)).status, 'ok');
    await until(a, { 1: ['old'], 2: ['-'] }, 'the V1 socket');
    await until(b, { 1: ['old'], 2: ['-'] }, 'the V2 socket');
  });

  test('joining a topic again on the same socket replaces the socket\'s meta', async (t) => {
    const server = await startServer({ env: PRESENCE_ENV, t });
    const observer = phoenixSocket(server, { authToken: jwtFor('1') });
    const twice = phoenixSocket(server, { authToken: jwtFor('2') });
    t.after(() => { observer.disconnect(); twice.disconnect(); });
    await Promise.all([socketOpen(observer), socketOpen(twice)]);
    const o = watch(observer, 'room:dup');
    assert.equal((await join(o.channel)).status, 'ok');
    const first = watch(twice, 'room:dup', { client: 'first' });
    assert.equal((await join(first.channel)).status, 'ok');
    await until(o, { 1: ['-'], 2: ['first'] }, 'first join');
    // A second channel object for the topic: the stock client leaves the first one, then joins.
    const second = watch(twice, 'room:dup', { client: 'second' });
    assert.equal((await join(second.channel)).status, 'ok');
    await until(o, { 1: ['-'], 2: ['second'] }, 'the second join replaced the first');
  });
});

describe('channels.presence_topics', () => {
  test('a malformed pattern stops the start, naming the key', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sockguard-presence-'));
    try {
      const out = await runBinary(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir,
        '--channels-presence-topics', 'room:{open']);
      assert.equal(out.code, 2, out.stderr);
      assert.match(out.stderr, /channels\.presence_topics: bad pattern 'room:\{open'/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
