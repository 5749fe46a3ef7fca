// The GraphQL phases of `make bench` (issues 12 and 13), small: the load generator against
// the real server, over graphql-transport-ws and Absinthe (every broadcast reaches every
// subscriber, and is executed once per selection and shard, not once per subscriber) and
// GraphQL over HTTP (signed-in accountsMe and the introspection query all answered).
// The engine's micro-benchmark runs too. Figures themselves are not asserted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { API_KEY, BIN, startServer } from './lib/server.mjs';

const LOADGEN = path.join(path.dirname(BIN), 'sockguard-loadgen');
const MICRO = path.join(path.dirname(BIN), 'sockguard-graphql-micro');
const built = existsSync(LOADGEN) && existsSync(MICRO);
const SOCKETS = 40;
const BROADCASTS = 5;
const SELECTIONS = 5;
const SHARDS = 2; // CORE_ENV's server threads

function run(bin, args) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(bin)} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

// The figures of one labelled line ("  deliveries         200 expected, ..."), every one.
function lines(output, label) {
  return output.split('\n').filter((l) => l.startsWith(`  ${label} `)).map((l) => l.slice(label.length + 2).trim());
}

describe('make bench: GraphQL', { skip: built ? false : 'the bench tools are not built (SOCKGUARD_BENCH=OFF)' }, () => {
  let server;
  const loadgen = (args) =>
    run(LOADGEN, ['--port', String(server.port), '--api-key', API_KEY, '--server-pid', String(server.child.pid), ...args]);

  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  for (const protocol of ['graphql-ws', 'absinthe']) {
    test(`${protocol}: every subscriber gets every broadcast, executed once per selection and shard`, async () => {
      const out = await loadgen(['--protocol', protocol, '--connections', String(SOCKETS), '--selections',
        String(SELECTIONS), '--broadcast', `${SOCKETS}:${BROADCASTS}:50`, '--drain-idle-s', '1']);
      const expected = SOCKETS * BROADCASTS;
      assert.deepEqual(lines(out, 'deliveries'), [`${expected} expected, ${expected} received, 0 lost`], out);
      const [executions] = lines(out, 'executions');
      const count = Number(executions?.split(' ')[0]);
      // At least once per selection, at most once per selection and shard: never per socket.
      assert.ok(count >= SELECTIONS * BROADCASTS && count <= SELECTIONS * SHARDS * BROADCASTS, out);
      assert.match(lines(out, 'sockets open')[0] ?? '', new RegExp(`^${SOCKETS} of ${SOCKETS} \\(0 dropped`), out);
    });
  }

  test('GraphQL over HTTP: signed-in accountsMe and the introspection query, all answered', async () => {
    const out = await loadgen(['--connections', '0', '--graphql-http-ms', '300', '--graphql-http-clients', '2']);
    const queries = lines(out, 'queries');
    assert.equal(queries.length, 2, out); // both documents ran: the sign-up worked
    for (const q of queries) assert.match(q, /^[1-9]\d* answered, 0 failed/, out);
    assert.match(out, /accountsMe \(signed in/);
  });

  test('the engine micro-benchmark times both documents', async () => {
    const out = await run(MICRO, ['--ms', '50']);
    assert.match(out, /accountsMe +[\d.]+ us per document/);
    assert.match(out, /introspection +[\d.]+ us per document/);
  });
});
