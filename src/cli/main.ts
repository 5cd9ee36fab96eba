import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { KeyholdException } from '../common/errors/keyhold.exception';
import { createRootLogger } from '../common/logging/logger';
import { ConfigError, loadConfig } from '../config/app-config';
import { loadEnvFile } from '../config/env-file';
import { runMigrations } from '../database/migrate';
import { resolveDatabase } from '../database/resolve-database';
import { CliModule } from './cli.module';
import { isKnownCommand, runCommand, UsageError, USAGE, usageOf } from './commands';

const HELP = new Set(['--help', '-h', 'help']);

/** Admin CLI: each command prints what it did as one JSON line on stdout. */
async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name && HELP.has(name)) {
    console.log(USAGE);
    return 0;
  }
  if (!name || !isKnownCommand(name)) {
    console.error(name ? `Unknown command: ${name}\n\n${USAGE}` : USAGE);
    return 2;
  }
  // Before any database work: help needs none.
  if (args.some((arg) => HELP.has(arg))) {
    console.log(usageOf(name));
    return 0;
  }
  loadEnvFile();
  const config = loadConfig();
  const logger = createRootLogger(
    config.logLevel === 'info' ? 'warn' : config.logLevel,
    process.stderr,
  );
  const database = await resolveDatabase(config, logger);
  try {
    const applied = await runMigrations(database.url, config.database);
    if (name === 'migrate') {
      console.log(JSON.stringify({ action: 'migrate', applied }));
      return 0;
    }
    const app = await NestFactory.createApplicationContext(
      CliModule.register(config, database.url),
      {
        logger: false,
      },
    );
    try {
      console.log(JSON.stringify(await runCommand(app, name, args)));
      return 0;
    } finally {
      await app.close();
    }
  } finally {
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      console.error(`${error.message}\n\n${USAGE}`);
    } else if (error instanceof KeyholdException || error instanceof ConfigError) {
      console.error(
        JSON.stringify({
          error: (error as KeyholdException).code ?? 'invalid_config',
          detail: error.message,
        }),
      );
    } else {
      console.error(error);
    }
    process.exit(1);
  },
);
