import { Writable } from 'node:stream';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import { createRootLogger } from '../../src/common/logging/logger';
import { loadConfig } from '../../src/config/app-config';
import { createTestDatabase, TestDatabase } from './database';
import { HttpClient } from './http-client';
import { recordAnswers } from './openapi-recorder';

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'admin-password-123';

export interface TestApp {
  app: NestFastifyApplication;
  baseUrl: string;
  db: TestDatabase;
  /** Every log line the app wrote, as JSON text. */
  logs: string[];
  client(): HttpClient;
  /** A client signed in as the bootstrap superuser. */
  admin(): Promise<HttpClient>;
  close(): Promise<void>;
}

/** The real application built on `database`: not yet initialised, not listening. */
export interface BuiltTestApp {
  app: NestFastifyApplication;
  /** Every log line the app wrote, as JSON text. */
  logs: string[];
}

/**
 * Builds the real app exactly as `startTestApp` serves it (same config, logger and query
 * counting) without opening a port: for service-level tests, which call its services directly.
 */
export async function buildTestApp(
  env: Record<string, string>,
  database: TestDatabase,
): Promise<BuiltTestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    // Under the run's temp dir (removed at teardown); one per worker.
    DATA_DIR: `${process.env.KEYHOLD_TEST_DATA_DIR ?? '/tmp/keyhold-test-data'}/${process.pid}`,
    BOOTSTRAP_ORG_NAME: 'Example Org',
    BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: 'info',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      logs.push(...lines);
      // KEYHOLD_TEST_LOG_ERRORS=1 shows the app's error logs while debugging a test.
      if (process.env.KEYHOLD_TEST_LOG_ERRORS) {
        for (const line of lines)
          if (line.includes('"level":50')) process.stderr.write(`${line}\n`);
      }
      done();
    },
  });
  const app = await createApp({
    config,
    databaseUrl: database.url,
    logger: createRootLogger(config.logLevel, sink),
    // Tests read QueryCounter to prove what the hot path does not do.
    countQueries: true,
  });
  return { app, logs };
}

/** Starts the real app over HTTP on a random port, on its own freshly migrated database. */
export async function startTestApp(
  env: Record<string, string> = {},
  db?: TestDatabase,
): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  const { app, logs } = await buildTestApp(env, database);
  recordAnswers(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    baseUrl,
    db: database,
    logs,
    client: () => new HttpClient(baseUrl),
    async admin() {
      const client = new HttpClient(baseUrl);
      const response = await client.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      if (response.status !== 200) throw new Error(`admin login failed: ${response.text}`);
      return client;
    },
    async close() {
      await app.close();
      if (!db) await database.drop();
    },
  };
}
