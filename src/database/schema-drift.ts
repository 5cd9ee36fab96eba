import { randomBytes } from 'node:crypto';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { runMigrations } from './migrate';
import { ormOptions } from './orm-options';

/**
 * What separates the schema MikroORM derives from the entities and a database built by the
 * committed migrations. Empty everywhere means the entities say exactly what the migrations say.
 */
export interface SchemaDrift {
  /** The statements that would bring the database to the entities (MikroORM's update diff). */
  up: string[];
  /** The statements that would bring the entities' schema back to the database. */
  down: string[];
  /**
   * Indexes declared with an `expression` (partial, descending) whose definition differs from the
   * database's: MikroORM compares those by name only, so its diff cannot see such a change.
   */
  indexes: string[];
}

export const hasDrift = (drift: SchemaDrift): boolean =>
  drift.up.length + drift.down.length + drift.indexes.length > 0;

/** MikroORM on `databaseUrl` with the given entities (and, for the generator, migrator options). */
export function entityOrm(
  databaseUrl: string,
  entities: NonNullable<Options['entities']>,
  migrations: Options['migrations'] = {},
): Promise<MikroORM> {
  const base = ormOptions(databaseUrl);
  return MikroORM.init({ ...base, entities, migrations: { ...base.migrations, ...migrations } });
}

/** The SQL of MikroORM's migration diff split into statements, without blank separators. */
const statements = (sql: string): string[] =>
  sql
    .split(/;\n/)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0)
    .map((statement) => (statement.endsWith(';') ? statement : `${statement};`));

/**
 * An index definition with what PostgreSQL adds on its own taken out (schema prefix, the default
 * btree method, casts, quotes, parentheses, case and spacing), so that an entity's
 * `create index "x" on "t" ("a" desc) where "b" is null` equals the database's
 * `CREATE INDEX x ON public.t USING btree (a DESC) WHERE (b IS NULL)`.
 */
const canonicalIndex = (sql: string): string =>
  sql
    .toLowerCase()
    .replace(/::(character varying|timestamp with time zone|\w+)(\[\])?/g, '')
    .replace(/\bpublic\.|\busing btree\b|"/g, '')
    .replace(/[()\s]/g, '');

export async function indexDrift(orm: MikroORM): Promise<string[]> {
  const rows = await orm.em.getConnection().execute<{ name: string; definition: string }[]>(
    `select c.relname as name, pg_get_indexdef(c.oid) as definition from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       where c.relkind = 'i' and n.nspname = current_schema()`,
  );
  const inDatabase = new Map(rows.map((row) => [row.name, row.definition]));
  const drift: string[] = [];
  for (const table of orm.schema.getTargetSchema().getTables()) {
    for (const index of table.getIndexes()) {
      const actual = inDatabase.get(index.keyName);
      // A missing index is in MikroORM's diff already (as a `create index`).
      if (!index.expression || actual === undefined) continue;
      if (canonicalIndex(index.expression) !== canonicalIndex(actual)) {
        drift.push(`index ${index.keyName}: entity: ${index.expression}; database: ${actual}`);
      }
    }
  }
  return drift;
}

/** Diffs the entities of `orm` against the database it is connected to. */
export async function schemaDrift(orm: MikroORM): Promise<SchemaDrift> {
  const diff = await orm.schema.getUpdateSchemaMigrationSQL({ wrap: false });
  return {
    up: statements(diff.up),
    down: statements(diff.down),
    indexes: await indexDrift(orm),
  };
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Runs `use` on a new database of the server `serverUrl` points at (any database URL on it),
 * migrated by the committed migrations, and drops that database afterwards.
 */
export async function withMigratedScratchDatabase<T>(
  serverUrl: string,
  use: (databaseUrl: string) => Promise<T>,
): Promise<T> {
  const name = `keyhold_scratch_${randomBytes(6).toString('hex')}`;
  await onServer(serverUrl, `create database ${name}`);
  try {
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    await runMigrations(url.toString());
    return await use(url.toString());
  } finally {
    await onServer(serverUrl, `drop database if exists ${name} with (force)`);
  }
}
