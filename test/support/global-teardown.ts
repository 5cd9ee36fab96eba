import { rm } from 'node:fs/promises';
import { Client } from 'pg';
import type { EmbeddedPostgres } from '../../src/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  if (process.env.KEYHOLD_TEST_DATA_DIR) {
    await rm(process.env.KEYHOLD_TEST_DATA_DIR, { recursive: true, force: true });
  }
  const embedded = (globalThis as Record<string, unknown>).__keyholdPostgres as
    { server: EmbeddedPostgres; dir: string } | undefined;
  if (embedded) {
    await embedded.server.stop();
    await rm(embedded.dir, { recursive: true, force: true });
    return;
  }
  // A shared server (TEST_DATABASE_URL): drop what this run created.
  const client = new Client({ connectionString: process.env.KEYHOLD_TEST_ADMIN_URL });
  await client.connect();
  const { rows } = await client.query<{ datname: string }>(
    `select datname from pg_database where datname like 'keyhold_t%'`,
  );
  for (const { datname } of rows) {
    await client.query(`drop database if exists ${datname} with (force)`).catch(() => undefined);
  }
  await client.end();
}
