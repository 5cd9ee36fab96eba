import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { binaryDir, postgresIds } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import type { TestDatabase } from './database';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of a test's own (initdb into a temp dir; as root it runs as the postgres
 * OS user), which the test may stop, restart on the same port, freeze and thaw: faults that the
 * shared test server must never suffer.
 */
export interface PgCluster {
  /** The `keyhold` database, migrated, as a TestDatabase for startTestApp. */
  db: TestDatabase;
  adminUrl: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP the postmaster and every backend: the server accepts TCP but answers nothing. */
  freeze(): Promise<void>;
  thaw(): Promise<void>;
  destroy(): Promise<void>;
}

async function clusterPids(dataDir: string): Promise<number[]> {
  const postmaster = Number(
    (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
  );
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(postmaster)]).catch(() => ({
    stdout: '',
  }));
  return [postmaster, ...stdout.split('\n').map(Number).filter(Boolean)];
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function startPgCluster(options: { migrate?: boolean } = {}): Promise<PgCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'keyhold-cluster-'));
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'pg');
  const ids = await postgresIds();
  await mkdir(dataDir, { mode: 0o700 });
  const passwordFile = join(dir, 'password');
  await writeFile(passwordFile, 'password\n', { mode: 0o644 });
  if (ids.uid !== undefined && ids.gid !== undefined) await chown(dataDir, ids.uid, ids.gid);
  const bin = binaryDir();
  await run(
    join(bin, 'initdb'),
    [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=scram-sha-256',
      `--pwfile=${passwordFile}`,
      '-E',
      'UTF8',
      '--no-sync',
    ],
    ids,
  );
  const port = await freePort();
  const pgCtl = join(bin, 'pg_ctl');
  const pgOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=100 -c fsync=off`;
  const start = () =>
    run(
      pgCtl,
      ['-D', dataDir, '-o', pgOptions, '-l', join(dataDir, 'server.log'), '-w', 'start'],
      ids,
    );
  await start();
  const adminUrl = `postgres://postgres:password@127.0.0.1:${port}/postgres`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('create database keyhold');
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = '/keyhold';
  if (options.migrate !== false) await runMigrations(url.toString());
  const sql = new Client({ connectionString: url.toString() });
  sql.on('error', () => undefined);
  await sql.connect();
  let frozen: number[] = [];
  const cluster: PgCluster = {
    adminUrl,
    db: { url: url.toString(), sql, drop: () => Promise.resolve() },
    async stop() {
      await run(pgCtl, ['-D', dataDir, 'stop', '-m', 'fast', '-w'], ids);
    },
    async start() {
      await start();
    },
    async freeze() {
      frozen = await clusterPids(dataDir);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    },
    thaw() {
      for (const pid of frozen) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          // Exited meanwhile.
        }
      }
      frozen = [];
      return Promise.resolve();
    },
    async destroy() {
      await cluster.thaw();
      await sql.end().catch(() => undefined);
      await run(pgCtl, ['-D', dataDir, 'stop', '-m', 'immediate', '-w'], ids).catch(
        () => undefined,
      );
      await rm(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}
