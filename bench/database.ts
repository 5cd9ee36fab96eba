import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { runMigrations } from '../src/database/migrate';

export interface BenchDatabase {
  /** URL of the fresh, migrated database the app runs on. */
  url: string;
  source: 'DATABASE_URL' | 'embedded';
  /** `select version()` of the server. */
  serverVersion: string;
  /** Drops the database and stops (and deletes) an embedded server; safe to call twice. */
  dispose(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database on DATABASE_URL's server (never the database it names: the benchmark fills
 * it with a million tokens), or on an embedded PostgreSQL in a temp dir.
 */
export async function provisionDatabase(): Promise<BenchDatabase> {
  const given = process.env.DATABASE_URL;
  let serverUrl: string;
  let stopServer: () => Promise<void> = () => Promise.resolve();
  if (given) {
    serverUrl = given;
  } else {
    const dir = await mkdtemp(join(tmpdir(), 'keyhold-bench-'));
    // As root the server runs as the postgres OS user, which must reach the data dir.
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres(join(dir, 'pg')).catch(async (error: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
    serverUrl = server.url;
    stopServer = async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const name = `keyhold_bench_${randomBytes(4).toString('hex')}`;
  const serverVersion = await withClient(serverUrl, async (client) => {
    await client.query(`create database ${name}`);
    const result = await client.query<{ version: string }>('select version() as version');
    return result.rows[0].version;
  }).catch(async (error: unknown) => {
    await stopServer();
    throw error;
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let disposed = false;
  const dispose = async () => {
    if (disposed) return;
    disposed = true;
    try {
      await withClient(serverUrl, (client) =>
        client.query(`drop database if exists ${name} with (force)`),
      );
    } finally {
      await stopServer();
    }
  };
  try {
    await runMigrations(url.toString());
  } catch (error) {
    await dispose();
    throw error;
  }
  return {
    url: url.toString(),
    source: given ? 'DATABASE_URL' : 'embedded',
    serverVersion,
    dispose,
  };
}
