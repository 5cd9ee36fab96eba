import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormOptions } from '../database/orm-options';

const USAGE = `Usage: npm run migration:create -- <Name>
       npm run migration:create -- --check
       npm run migration:create -- --baseline
  Generates migrations/Migration<timestamp><Name>.ts from what changed in the entities since
  migrations/.snapshot-keyhold.json (the entities as the committed migrations build them), updates
  that snapshot and appends the migration to migrations/index.ts. Review the SQL: the committed
  migrations also hold what entities cannot say (CHECK constraints, partial indexes).
  --check exits 1 when the entities changed and no migration says so yet. --baseline records the current entities as the
  snapshot without a migration (after a hand-written migration that brought the schema there).`;

// From dist/src/cli (compiled) or src/cli (ts-node): the repository root is where package.json is.
const root = resolve(
  __dirname,
  existsSync(join(__dirname, '../../package.json')) ? '../..' : '../../..',
);
const SNAPSHOT = join(root, 'migrations', '.snapshot-keyhold.json');

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

/** MikroORM on the entities alone: the diff is entities vs. snapshot, no database needed. */
function initOrm(): Promise<MikroORM> {
  const base = ormOptions('postgres://unused@127.0.0.1:1/unused');
  const compiled = __filename.endsWith('.js');
  return MikroORM.init({
    ...base,
    connect: false,
    entities: [join(root, compiled ? 'dist/src/**/*.entity.js' : 'src/**/*.entity.ts')],
    migrations: {
      ...base.migrations,
      path: join(root, 'migrations'),
      emit: 'ts',
      snapshot: true,
      snapshotName: '.snapshot-keyhold',
      fileName: (timestamp: string, label?: string) => `Migration${timestamp}${label ?? ''}`,
    },
  });
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
      statements: created.diff.up.length,
    }),
  );
}

async function main(argv: string[]): Promise<number> {
  if (argv.some((arg) => arg === '--help' || arg === '-h')) {
    console.log(USAGE);
    return 0;
  }
  const baseline = argv.includes('--baseline');
  const check = argv.includes('--check');
  const name = argv.find((arg) => !arg.startsWith('-'));
  if (!baseline && !existsSync(SNAPSHOT)) {
    console.error(`${SNAPSHOT} is missing: run \`npm run migration:create -- --baseline\` first`);
    return 1;
  }
  if (!baseline && !check && (!name || !/^[A-Z][A-Za-z0-9]{0,60}$/.test(name))) {
    console.error(`Give the migration a PascalCase name.\n\n${USAGE}`);
    return 2;
  }
  const orm = await initOrm();
  try {
    if (baseline) {
      const schema = orm.schema.getTargetSchema();
      await writeFile(SNAPSHOT, `${JSON.stringify(schema, null, 2)}\n`);
      console.log(
        JSON.stringify({
          action: 'migration:create',
          baseline: 'migrations/.snapshot-keyhold.json',
        }),
      );
    } else if (check) {
      const needed = await orm.migrator.checkMigrationNeeded();
      console.log(
        JSON.stringify({ action: 'migration:create', check: needed ? 'needed' : 'none' }),
      );
      return needed ? 1 : 0;
    } else {
      await create(orm, name as string);
    }
    return 0;
  } finally {
    await orm.close(true);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
