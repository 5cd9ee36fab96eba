import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppConfig } from '../config/app-config';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface DatabaseHandle {
  url: string;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'keyhold';

/** DATABASE_URL when set; otherwise an embedded PostgreSQL under DATA_DIR/postgres. */
export async function resolveDatabase(config: AppConfig, logger: Logger): Promise<DatabaseHandle> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: () => Promise.resolve() };
  const dataDir = join(config.dataDir, 'postgres');
  logger.info({ dataDir }, 'No DATABASE_URL: starting the embedded PostgreSQL');
  const server = await startEmbeddedPostgres(dataDir);
  const url = new URL(server.url);
  const { Client } = await import('pg');
  const client = new Client({ connectionString: server.url });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [
      EMBEDDED_DATABASE,
    ]);
    if (exists.rowCount === 0) await client.query(`create database ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
  url.pathname = `/${EMBEDDED_DATABASE}`;
  logger.info({ port: url.port }, 'Embedded PostgreSQL is up');
  return { url: url.toString(), stop: () => server.stop() };
}
