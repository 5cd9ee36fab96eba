import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { connectionBounds, DatabaseTimeouts, DEFAULT_TIMEOUTS, ormOptions } from './orm-options';

// pg_advisory_lock key shared by every Keyhold instance (an arbitrary constant: "keyh" in ASCII).
export const MIGRATION_LOCK_KEY = 0x6b657968;

/**
 * Applies every pending migration in `migrations/`; returns the names applied. Instances starting
 * together on one database take turns under a session-level advisory lock: the first migrates,
 * the others then find nothing pending. Statements get no timeout here (an index build may take
 * long); connecting is still bounded.
 */
export async function runMigrations(
  databaseUrl: string,
  timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
): Promise<string[]> {
  const unbounded = { ...timeouts, statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0 };
  const lock = new Client({
    connectionString: databaseUrl,
    ...connectionBounds(unbounded),
    application_name: 'keyhold-migrations',
  });
  lock.on('error', () => undefined);
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const orm = await MikroORM.init({
      ...ormOptions(databaseUrl, unbounded),
      entities: [],
      discovery: { warnWhenNoEntities: false },
    });
    try {
      const applied = await orm.migrator.up();
      return applied.map((migration) => migration.name);
    } finally {
      await orm.close(true);
    }
  } finally {
    // Ending the session releases the lock even if the unlock cannot be sent.
    await lock.end().catch(() => undefined);
  }
}
