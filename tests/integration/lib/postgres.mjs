// A real PostgreSQL server for integration tests, started by the test itself: initdb and
// pg_ctl (Debian's /usr/lib/postgresql/<version>/bin, or SOCKGUARD_PG_BIN) in a temporary
// directory, on 127.0.0.1 and a free port, with its unix socket in that directory too, and
// a `sockguard` user with a password. PostgreSQL refuses to run as root: under root the
// directory belongs to the `postgres` system user and the server tools run as it (runuser).
//
//   const pg = await startPostgres();
//   pg.url('sockguard')                 postgresql://sockguard:<password>@127.0.0.1:<port>/sockguard
//   await pg.createDatabase('name'); await pg.query('name', 'SELECT ...')  -> rows as text
//   await pg.stop(); await pg.start(); await pg.dispose()
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free_port.mjs';

const run = promisify(execFile);

export const PG_PASSWORD = 'it-pg-s3cret-0123456789';

function pgBin() {
  if (process.env.SOCKGUARD_PG_BIN) return process.env.SOCKGUARD_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) {
    throw new Error('no PostgreSQL server in /usr/lib/postgresql/*/bin: apt-get install postgresql (scripts/bootstrap), or set SOCKGUARD_PG_BIN');
  }
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0], 'bin');
}

function postgresIds() {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root and there is no `postgres` user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const live = new Set();
process.on('exit', () => {
  for (const pg of live) {
    try { execFileSync(...pg.command('pg_ctl', ['-D', pg.dataDir, '-m', 'immediate', 'stop']), { stdio: 'ignore' }); } catch { /* gone */ }
    rmSync(pg.dir, { recursive: true, force: true });
  }
});

export async function startPostgres() {
  const bin = pgBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockguard-pg-'));
  const asRoot = process.getuid() === 0;
  if (asRoot) {
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }
  const pg = {
    dir,
    dataDir: path.join(dir, 'data'),
    port: await freePort(),
    // [file, args] of a server tool, run as postgres under root.
    command(tool, args) {
      const file = path.join(bin, tool);
      return asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
    },
    url(database, password = PG_PASSWORD) {
      return `postgresql://sockguard:${password}@127.0.0.1:${this.port}/${database}`;
    },
    async start() {
      await run(...this.command('pg_ctl', ['-D', this.dataDir, '-l', path.join(dir, 'server.log'), '-w', '-t', '30',
        '-o', `-p ${this.port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`,
        'start']));
    },
    // Fast shutdown: the server ends every connection (what sockguard sees when the
    // database goes away), then exits.
    async stop() {
      await run(...this.command('pg_ctl', ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']));
    },
    // Rows of the first column... as text lines; psql is a client and runs as anyone.
    async query(database, sql) {
      const { stdout } = await run(path.join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'sockguard',
        '-d', database, '-v', 'ON_ERROR_STOP=1', '-Atc', sql], { env: { ...process.env, PGPASSWORD: PG_PASSWORD } });
      return stdout.trim();
    },
    async createDatabase(name) {
      await this.query('postgres', `CREATE DATABASE ${name}`);
    },
    serverLog() {
      try { return readFileSync(path.join(dir, 'server.log'), 'utf8'); } catch { return ''; }
    },
    async dispose() {
      live.delete(this);
      try { await run(...this.command('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', 'stop'])); } catch { /* stopped */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(pg);
  const pwfile = path.join(dir, 'pwfile');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`, { mode: 0o644 });
  try {
    await run(...pg.command('initdb', ['-D', pg.dataDir, '-U', 'sockguard', `--pwfile=${pwfile}`, '-A', 'scram-sha-256',
      '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']));
    rmSync(pwfile);
    await pg.start();
  } catch (e) {
    const log = pg.serverLog();
    await pg.dispose();
    throw new Error(`PostgreSQL did not start: ${e.message}\n${log}`);
  }
  return pg;
}
