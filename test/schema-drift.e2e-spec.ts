import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityClass } from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/postgresql';
import { entityOrm, schemaDrift, type SchemaDrift } from '../src/database/schema-drift';
import { createTestDatabase, type TestDatabase } from './support/database';

const SRC = join(__dirname, '..', 'src');

/** Every class exported by a src/**\/*.entity.ts file (a new entity is found without a list). */
async function entityClasses(): Promise<EntityClass<object>[]> {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((file) =>
    file.endsWith('.entity.ts'),
  );
  const modules = await Promise.all(
    files.map((file) => import(join(SRC, file)) as Promise<Record<string, unknown>>),
  );
  return modules.flatMap((exported) =>
    Object.values(exported).filter(
      (value): value is EntityClass<object> => typeof value === 'function',
    ),
  );
}

const shown = (drift: SchemaDrift): string =>
  [
    `up (database -> entities):\n${drift.up.join('\n') || '(none)'}`,
    `down (entities -> database):\n${drift.down.join('\n') || '(none)'}`,
    `expression indexes that differ:\n${drift.indexes.join('\n') || '(none)'}`,
  ].join('\n\n');

// The entities must say what the committed migrations build: constraint and index names, CHECK
// constraints, partial indexes, defaults, types, foreign keys and their rules. Then
// `npm run migration:create` generates exactly the next change and nothing else. What no entity
// can say (the audit log's append-only triggers and their function) is outside this comparison.
describe('schema drift: the entities against a database migrated by the committed migrations', () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await entityOrm(db.url, await entityClasses());
  });

  afterAll(async () => {
    await orm?.close(true);
    await db?.drop();
  });

  it('has no difference (MikroORM update diff both ways, and expression index definitions)', async () => {
    const drift = await schemaDrift(orm);
    // The statements are the message: each is what a migration (or the entity) must change.
    if (drift.up.length + drift.down.length + drift.indexes.length > 0) {
      throw new Error(`The entities and the migrated database differ.\n\n${shown(drift)}`);
    }
    expect(drift).toEqual({ up: [], down: [], indexes: [] });
  });
});
