import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import { httpEdgeOptions, registerHttpEdge } from './common/http/http-edge';
import { BODY_LIMIT, useJsonBodyParser } from './common/http/json-body';
import { createRootLogger, NestPinoLogger } from './common/logging/logger';
import { lazyRequestLogger } from './common/logging/request-logger';
import { setupOpenApi } from './common/http/openapi';
import { installSyncFirstRoutes } from './common/http/sync-first-routes';
import { useFormBodyParsers } from './common/http/form-body-parsers';
import { AppConfig } from './config/app-config';
import { registerRequestContext } from './database/request-context';
import { registerWebConsole } from './console/console';

export interface AppOptions {
  config: AppConfig;
  databaseUrl: string;
  logger?: PinoLogger;
  /** Count SQL statements (QueryCounter); for the benchmark and the tests only. */
  countQueries?: boolean;
}

/** Builds the HTTP application; main.ts, the tests and the benchmark all start it this way. */
export async function createApp({
  config,
  databaseUrl,
  logger,
  countQueries = false,
}: AppOptions): Promise<NestFastifyApplication> {
  installSyncFirstRoutes();
  const root = logger ?? createRootLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: root,
    childLoggerFactory: lazyRequestLogger,
    bodyLimit: BODY_LIMIT,
    trustProxy: config.http.trustProxy === false ? false : config.http.trustProxy,
    ...httpEdgeOptions(config.http),
    return503OnClosing: true,
    // `api-token-auth/` (Django style) and `api-token-auth` are one route.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, databaseUrl, { countQueries }),
    adapter,
    { logger: new NestPinoLogger(root), abortOnError: false, bodyParser: false },
  );
  // First, so that every later hook and handler runs inside the request's context.
  registerRequestContext(app);
  useJsonBodyParser(adapter);
  await useFormBodyParsers(app, BODY_LIMIT);
  await app.register(fastifyCookie);
  registerHttpEdge(app);
  setupOpenApi(app);
  await registerWebConsole(app);
  return app;
}
