import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import type { FastifyRequest } from 'fastify';
import type { LogLevel } from '../../config/app-config';
import { scrubSecrets } from '../secrets';
import { clientIp, cleanUserAgent, requestPath } from '../http/request-meta';

/** The one pino root: Fastify's request logs and Nest's application logs both go through it. */
export function createRootLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'keyhold' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-api-token"]',
          'req.headers["x-csrf-token"]',
          'res.headers["set-cookie"]',
          'password',
          'token',
          '*.password',
          '*.token',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (request: FastifyRequest) => ({
          method: request.method,
          path: scrubSecrets(requestPath(request)),
          ip: clientIp(request),
          userAgent: cleanUserAgent(request.headers['user-agent']),
        }),
        err: pino.stdSerializers.err,
        // Fastify's "request completed" carries it with 14 decimals; a tenth of a ms is plenty.
        responseTime: (ms: unknown) => (typeof ms === 'number' ? Math.round(ms * 10) / 10 : ms),
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, scrubSecrets(args));
        },
      },
    },
    destination,
  );
}

// Nest's start-up chatter (one line per module and per route): debug, so a start takes a few lines.
const FRAMEWORK_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** Nest's LoggerService on the pino root, so framework and module logs are JSON too. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly root: Logger) {}

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace',
    message: unknown,
    rest: unknown[],
  ) {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const logger = context ? this.root.child({ context }) : this.root;
    if (message && typeof message === 'object' && !(message instanceof Error)) {
      logger[level](message, typeof rest[0] === 'string' ? rest[0] : undefined);
    } else if (message instanceof Error) {
      logger[level]({ err: message }, message.message);
    } else {
      const stack = typeof rest[0] === 'string' && level === 'error' ? rest[0] : undefined;
      logger[level](stack ? { stack } : {}, String(message));
    }
  }

  log(message: unknown, ...rest: unknown[]) {
    const context = rest[rest.length - 1];
    const quiet = typeof context === 'string' && FRAMEWORK_CONTEXTS.has(context);
    this.write(quiet ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    // A port already in use is reported by main.ts as one clear line, not as a logged error.
    if (rest[rest.length - 1] === 'NestApplication' && String(message).includes('EADDRINUSE'))
      return;
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]) {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]) {
    this.write('trace', message, rest);
  }
}
