import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { migrations } from '../../migrations';

/** Shared MikroORM options: the app adds its entities, the migrator needs none. */
export function ormOptions(clientUrl: string) {
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
    debug: false,
  });
}
