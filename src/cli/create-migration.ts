import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { createRootLogger } from '../common/logging/logger';
import { loadConfig } from '../config/app-config';
import { loadEnvFile } from '../config/env-file';
import { resolveDatabase } from '../database/resolve-database';
import {
  entityOrm,
  hasDrift,
  indexDrift,
  schemaDrift,
  withMigratedScratchDatabase,
} from '../database/schema-drift';

const USAGE = `Usage: npm run migration:create -- <Name>
       npm run migration:create -- --check
  Migrates a scratch database with the committed migrations (on the server of DATABASE_URL, or on
  the embedded PostgreSQL under DATA_DIR/postgres when DATABASE_URL is unset; dropped afterwards),
  diffs the entities against it with MikroORM and writes the difference as
  migrations/Migration<timestamp><Name>.ts, appended to migrations/index.ts. The entities declare
  everything the migrations build (CHECK constraints, partial indexes, names, defaults, foreign
  key rules), so the diff holds only the new change; review its SQL. Triggers and functions (the
  audit log's append-only rule) are not entity metadata: write those by hand.
  --check exits 1 when the entities and the migrated schema differ (a migration is missing) and
  prints the statements of the difference on stderr.`;

// From dist/src/cli (compiled) or src/cli (ts-node): the repository root is where package.json is.
const root = resolve(
  __dirname,
  existsSync(join(__dirname, '../../package.json')) ? '../..' : '../../..',
);

/** Registers the new migration in migrations/index.ts (the explicit, ordered list). */
async function register(className: string): Promise<void> {
  const indexPath = join(root, 'migrations', 'index.ts');
  const index = await readFile(indexPath, 'utf8');
  const withImport = index.replace(
    /(\n\n\/\*\*)/,
    `\nimport { ${className} } from './${className}';$1`,
  );
  const withEntry = withImport.replace(
    /\n\];\s*$/,
    `\n  { name: '${className}', class: ${className} },\n];\n`,
  );
  await writeFile(indexPath, withEntry);
}

/** Prettier (a development dependency, as this command is) on the files written. */
async function formatted(files: string[]): Promise<void> {
  const prettier = await import('prettier');
  for (const file of files) {
    const options = (await prettier.resolveConfig(file)) ?? {};
    const text = await readFile(file, 'utf8');
    await writeFile(file, await prettier.format(text, { ...options, filepath: file }));
  }
}

/** MikroORM with every entity, on the migrated scratch database, generating into migrations/. */
function initOrm(databaseUrl: string): Promise<MikroORM> {
  const compiled = __filename.endsWith('.js');
  return entityOrm(
    databaseUrl,
    [join(root, compiled ? 'dist/src/**/*.entity.js' : 'src/**/*.entity.ts')],
    {
      path: join(root, 'migrations'),
      emit: 'ts',
      snapshot: false,
      fileName: (timestamp: string, label?: string) => `Migration${timestamp}${label ?? ''}`,
    },
  );
}

async function create(orm: MikroORM, name: string): Promise<void> {
  const created = await orm.migrator.createMigration(undefined, false, false, name);
  if (!created.fileName) {
    console.log(
      JSON.stringify({ action: 'migration:create', created: null, reason: 'no changes' }),
    );
    return;
  }
  const className = created.fileName.replace(/\.ts$/, '');
  const file = join(root, 'migrations', created.fileName);
  // MikroORM names the class Migration<timestamp>_<Name>; the repository's convention has no "_".
  const code = (await readFile(file, 'utf8')).replace(
    /class Migration\d+_\w+/,
    `class ${className}`,
  );
  await writeFile(file, code);
  await register(className);
  await formatted([file, join(root, 'migrations', 'index.ts')]);
  console.log(
    JSON.stringify({
      action: 'migration:create',
      created: `migrations/${created.fileName}`,
      statements: created.diff.up.filter((statement) => statement !== '').length,
    }),
  );
}

/** --check: 0 when the entities say what the migrations build, 1 (and the SQL) otherwise. */
async function check(orm: MikroORM): Promise<number> {
  const drift = await schemaDrift(orm);
  const needed = hasDrift(drift);
  if (needed) {
    const lines = [...drift.up, ...drift.indexes.map((index) => `-- ${index}`)];
    console.error(`The entities and the migrated schema differ:\n${lines.join('\n')}`);
  }
  console.log(JSON.stringify({ action: 'migration:create', check: needed ? 'needed' : 'none' }));
  return needed ? 1 : 0;
}

/** Warns about what MikroORM's generator cannot see (it compares expression indexes by name). */
async function warnAboutIndexes(orm: MikroORM): Promise<void> {
  for (const index of await indexDrift(orm)) {
    console.error(`Not generated, write it by hand (drop and create the index): ${index}`);
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) {
    console.log(USAGE);
    return 0;
  }
  const checking = argv.includes('--check');
  const name = argv.find((arg) => !arg.startsWith('-'));
  const unknown = argv.find((arg) => arg.startsWith('-') && arg !== '--check');
  if (unknown || (!checking && (!name || !/^[A-Z][A-Za-z0-9]{0,60}$/.test(name)))) {
    console.error(
      `${unknown ? `Unknown option ${unknown}` : 'Give the migration a PascalCase name.'}\n\n${USAGE}`,
    );
    return 2;
  }
  loadEnvFile();
  const config = loadConfig();
  const database = await resolveDatabase(config, createRootLogger('warn', process.stderr));
  try {
    return await withMigratedScratchDatabase(database.url, async (url) => {
      const orm = await initOrm(url);
      try {
        if (checking) return await check(orm);
        await warnAboutIndexes(orm);
        await create(orm, name as string);
        return 0;
      } finally {
        await orm.close(true);
      }
    });
  } finally {
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
