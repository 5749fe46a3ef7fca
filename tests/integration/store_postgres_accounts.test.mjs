// The security suite's account and session tests again, with accounts and sessions in
// PostgreSQL (SOCKGUARD_TEST_STORE=postgres, see security/lib/server.mjs): each file runs
// in a node --test process of its own, which starts its own PostgreSQL. The same files run
// on SQLite in the ordinary integration run, so every case here holds on both back ends.
// (password_hashing.test.mjs is left out: it is about the hashing pool's admission, which
// no store call takes part in.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const FILES = [
  'revocation', 'logout_revocation', 'login_lockout', 'secure_cookie', 'registration_limit', 'redaction', 'origin',
  'origin_syntax', 'ticket_origin_binding', 'graphql_http', 'graphql_ws', 'longpoll',
];

function runOnPostgres(file) {
  // Without NODE_TEST_CONTEXT, which would make the child a reporter of this runner's
  // (and skip its files) rather than a test run of its own.
  const env = { ...process.env, SOCKGUARD_TEST_STORE: 'postgres' };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', path.join(here, 'security', `${file}.test.mjs`)], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (code) => resolve({ code, output }));
  });
}

for (const file of FILES) {
  test(`security/${file}.test.mjs on PostgreSQL`, { timeout: 180_000 }, async () => {
    const { code, output } = await runOnPostgres(file);
    const passed = /^# pass (\d+)/m.exec(output);
    assert.equal(code, 0, output.slice(-4000));
    assert.ok(passed && Number(passed[1]) > 0, `no test passed:\n${output.slice(-2000)}`);
  });
}
