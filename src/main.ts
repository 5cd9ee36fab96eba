import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { createApp } from './app.factory';
import { createRootLogger } from './common/logging/logger';
import { logDestination } from './common/logging/pretty';
import { loadEnvFile } from './config/env-file';
import { EmbeddedPostgresError } from './database/embedded-postgres';
import { resolveDatabase } from './database/resolve-database';
import { runMigrations } from './database/migrate';

const isAddressInUse = (error: unknown) =>
  (error as { code?: unknown } | null)?.code === 'EADDRINUSE';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    loadEnvFile();
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`keyhold: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createRootLogger(config.logLevel, logDestination(config));
  const database = await resolveDatabase(config, logger);
  let app: NestFastifyApplication;
  try {
    const applied = await runMigrations(database.url, config.database);
    if (applied.length > 0) logger.info({ migrations: applied }, 'Applied migrations');
    app = await createApp({ config, databaseUrl: database.url, logger });
    await app.listen({ port: config.http.port, host: config.http.host });
  } catch (error) {
    await database.stop();
    if (isAddressInUse(error)) {
      process.stderr.write(
        `keyhold: port ${config.http.port} on ${config.http.host} is already in use; ` +
          'stop the other process or set PORT to a free port.\n',
      );
      process.exit(1);
    }
    throw error;
  }
  logger.info(
    `Keyhold listening on ${config.http.publicUrl} (bound to ${config.http.host}:${config.http.port}; API docs at /api/docs)`,
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'Shutting down: finishing requests and flushing');
    try {
      await app.close();
    } finally {
      await database.stop();
      logger.info('Stopped');
      process.exit(0);
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void shutdown(signal));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `keyhold: failed to start: ${
      error instanceof EmbeddedPostgresError
        ? error.message
        : error instanceof Error
          ? error.stack
          : String(error)
    }\n`,
  );
  process.exit(1);
});
