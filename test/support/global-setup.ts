import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { runMigrations } from '../../src/database/migrate';
import { RECORD_DIR_VARIABLE } from './openapi-recorder';

/**
 * One PostgreSQL for the whole run (TEST_DATABASE_URL, or an embedded one in a temp dir), with a
 * migrated template database; every test file clones its own database from the template.
 */
export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    // chmod 755 so the postgres OS user (when running as root) can reach the data dir.
    const dir = await mkdtemp(join(tmpdir(), 'keyhold-test-'));
    const { chmod } = await import('node:fs/promises');
    await chmod(dir, 0o755);
    const server = await startEmbeddedPostgres(join(dir, 'pg'));
    (globalThis as Record<string, unknown>).__keyholdPostgres = { server, dir };
    adminUrl = server.url;
  }
  const template = `keyhold_tpl_${process.pid}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(`drop database if exists ${template}`);
  await client.query(`create database ${template}`);
  await client.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await runMigrations(templateUrl.toString());
  process.env.KEYHOLD_TEST_ADMIN_URL = adminUrl;
  process.env.KEYHOLD_TEST_DATA_DIR = await mkdtemp(join(tmpdir(), 'keyhold-test-data-'));
  // What the test servers answer, checked against openapi.json by the coverage reporter.
  const recordDir = join(process.env.KEYHOLD_TEST_DATA_DIR, 'openapi-answers');
  await mkdir(recordDir);
  process.env[RECORD_DIR_VARIABLE] = recordDir;
  process.env.KEYHOLD_TEST_TEMPLATE = template;
}
