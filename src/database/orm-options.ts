import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { migrations } from '../../migrations';
import type { DatabaseSettings } from '../config/app-config';

export type DatabaseTimeouts = Omit<DatabaseSettings, 'listenUrl'>;

/** The defaults of DATABASE_*_TIMEOUT_MS (src/config/env.schema.ts). */
export const DEFAULT_TIMEOUTS: DatabaseTimeouts = {
  connectTimeoutMs: 3000,
  statementTimeoutMs: 5000,
  idleInTransactionTimeoutMs: 10000,
};

/**
 * pg connection settings that bound every wait. statement_timeout and the idle-in-transaction
 * timeout are enforced by the server; query_timeout is the client's own bound, for a server that
 * does not answer at all (a partition, a frozen host), slightly later so the server's fires first.
 * A statement timeout of 0 (migrations) means none.
 */
export function connectionBounds(timeouts: DatabaseTimeouts) {
  const { connectTimeoutMs, statementTimeoutMs, idleInTransactionTimeoutMs } = timeouts;
  return {
    connectionTimeoutMillis: connectTimeoutMs,
    keepAlive: true,
    idle_in_transaction_session_timeout: idleInTransactionTimeoutMs,
    ...(statementTimeoutMs > 0
      ? { statement_timeout: statementTimeoutMs, query_timeout: statementTimeoutMs + 1000 }
      : {}),
  };
}

const ignore = (): void => undefined;

/** Shared MikroORM options: the app adds its entities, the migrator needs none. */
export function ormOptions(clientUrl: string, timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS) {
  return defineConfig({
    clientUrl,
    driver: PostgreSqlDriver,
    extensions: [Migrator],
    migrations: {
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    forceUtcTimezone: true,
    allowGlobalContext: false,
    pool: { min: 0, max: 20 },
    driverOptions: {
      connection: connectionBounds(timeouts),
      // Waiting for a pooled connection is bounded too (knex's default is a minute).
      acquireConnectionTimeout: timeouts.connectTimeoutMs + 1000,
      // knex would print a dropped pooled connection with console.log, outside the JSON logs;
      // the failure reaches the caller as a query error anyway (a 503, logged by the filter).
      log: { warn: ignore, error: ignore, deprecate: ignore, debug: ignore },
    },
    debug: false,
  });
}
