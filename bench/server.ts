import pino from 'pino';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/app.factory';
import { createRootLogger } from '../src/common/logging/logger';
import { loadConfig } from '../src/config/app-config';
import { QueryCounter } from '../src/database/query-counter';
import { LastUsedRecorder } from '../src/tokens/last-used.recorder';
import { processCpuMicros } from './raw-fastify';

export const ADMIN_EMAIL = 'bench-admin@example.test';
export const ADMIN_PASSWORD = 'bench-admin-password-123';

/** The server's own counters, read in-process around each measured window. */
export interface ServerCounters {
  /** SQL statements sent through MikroORM so far. */
  sqlStatements: number;
  /** Batched last-used statements written so far. */
  lastUsedWrites: number;
  /** CPU time this process (which hosts the server) has used so far, in microseconds. */
  cpuMicros: number;
}

export interface BenchServer {
  app: NestFastifyApplication;
  baseUrl: string;
  counters(): ServerCounters;
  close(): Promise<void>;
}

/** The real app, in this process, on 127.0.0.1 and a free port; warnings go to stderr. */
export async function startServer(databaseUrl: string, dataDir: string): Promise<BenchServer> {
  const config = loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    BOOTSTRAP_ORG_NAME: 'Bench Org',
    BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  // stderr keeps stdout for the table; async so a log line never blocks a request.
  const logger = createRootLogger(config.logLevel, pino.destination({ dest: 2, sync: false }));
  const app = await createApp({ config, databaseUrl, logger, countQueries: true });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const queries = app.get(QueryCounter);
  const recorder = app.get(LastUsedRecorder);
  let closed = false;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    counters: () => ({
      sqlStatements: queries.requestCount,
      lastUsedWrites: recorder.writes,
      cpuMicros: processCpuMicros(),
    }),
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
    },
  };
}
