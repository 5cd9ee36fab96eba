import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from './orm-options';

/** Applies every pending migration in `migrations/`; returns the names applied. */
export async function runMigrations(databaseUrl: string): Promise<string[]> {
  const orm = await MikroORM.init({
    ...ormOptions(databaseUrl),
    entities: [],
    discovery: { warnWhenNoEntities: false },
  });
  try {
    const applied = await orm.migrator.up();
    return applied.map((migration) => migration.name);
  } finally {
    await orm.close(true);
  }
}
