import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import { CommonErrorCode, CommonException } from './common/errors/common-errors';
import { createRootLogger, NestPinoLogger } from './common/logging/logger';
import { setupOpenApi } from './common/http/openapi';
import { AppConfig } from './config/app-config';
import { registerWebConsole } from './console/console';

const BODY_LIMIT = 64 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface AppOptions {
  config: AppConfig;
  databaseUrl: string;
  logger?: PinoLogger;
}

/** JSON only, with its own error for a malformed body (Fastify's becomes a bare 400 in Nest). */
function useJsonBodyParser(adapter: FastifyAdapter): void {
  const fastify = adapter.getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('text/plain');
  adapter.useBodyParser(
    'application/json',
    false,
    { bodyLimit: BODY_LIMIT },
    (request, body, done) => {
      void parseJson(
        request,
        Buffer.isBuffer(body) ? body.toString('utf8') : body,
        (error, value) => {
          if (error) {
            done(
              new CommonException(
                CommonErrorCode.MalformedJson,
                'The request body is not valid JSON.',
              ),
              undefined,
            );
          } else {
            done(null, value);
          }
        },
      );
    },
  );
}

/** Builds the HTTP application; main.ts, the tests and the benchmark all start it this way. */
export async function createApp({
  config,
  databaseUrl,
  logger,
}: AppOptions): Promise<NestFastifyApplication> {
  const root = logger ?? createRootLogger(config.logLevel);
  const adapter = new FastifyAdapter({
    loggerInstance: root,
    bodyLimit: BODY_LIMIT,
    trustProxy: config.http.trustProxy === false ? false : config.http.trustProxy,
    // A caller's X-Request-Id is kept when it is plain; otherwise a fresh one.
    genReqId: (raw: IncomingMessage) => {
      const given = raw.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    // `api-token-auth/` (Django style) and `api-token-auth` are one route.
    routerOptions: { ignoreTrailingSlash: true },
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config, databaseUrl),
    adapter,
    { logger: new NestPinoLogger(root), abortOnError: false, bodyParser: false },
  );
  useJsonBodyParser(adapter);
  await app.register(fastifyCookie);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  setupOpenApi(app);
  await registerWebConsole(app);
  return app;
}
