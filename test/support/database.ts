import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A fresh database cloned from the migrated template; `sql` talks to it directly. */
export interface TestDatabase {
  url: string;
  sql: Client;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.KEYHOLD_TEST_ADMIN_URL;
  const template = process.env.KEYHOLD_TEST_TEMPLATE;
  if (!adminUrl || !template)
    throw new Error('Run through jest: the global setup provides the database');
  const name = `keyhold_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const sql = new Client({ connectionString: url.toString() });
  // A forced drop at teardown ends this connection; that is expected.
  sql.on('error', () => undefined);
  await sql.connect();
  return {
    url: url.toString(),
    sql,
    async drop() {
      await sql.end();
      const again = new Client({ connectionString: adminUrl });
      await again.connect();
      await again.query(`drop database if exists ${name} with (force)`);
      await again.end();
    },
  };
}
