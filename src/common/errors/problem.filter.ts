import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { DriverException } from '@mikro-orm/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describeDatabaseError, isDatabaseUnavailable } from '../../database/database-errors';
import { CommonErrorCode } from './common-errors';
import { internalError, replyWithProblem, toKeyholdException } from './problem';

// During an outage every request fails the same way: one warning per interval, not one per request.
const OUTAGE_LOG_INTERVAL_MS = 10_000;
let lastOutageLog = 0;

/**
 * A database error's message carries the SQL with its values inlined (password hashes, digests):
 * only its identifying fields are logged.
 */
function loggableError(error: unknown): unknown {
  if (error instanceof DriverException) {
    const { name, code, sqlState, table, constraint } = error as DriverException & {
      table?: string;
      constraint?: string;
    };
    return { name, code, sqlState, table, constraint };
  }
  return error;
}

/** Sends every error as RFC 9457 problem+json; unexpected ones are logged, never echoed. */
function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger) {
  let exception = toKeyholdException(error);
  if (!exception) {
    logger.error({ err: loggableError(error), requestId: request.id }, 'Unhandled error');
    exception = internalError();
  } else if (exception.code === String(CommonErrorCode.ServiceUnavailable)) {
    if (Date.now() - lastOutageLog >= OUTAGE_LOG_INTERVAL_MS) {
      lastOutageLog = Date.now();
      const cause = isDatabaseUnavailable(error) ? describeDatabaseError(error) : exception.detail;
      logger.warn({ cause, requestId: request.id }, 'Service unavailable: answering 503');
    }
  } else if (Number(exception.status) >= 500) {
    logger.error(
      { code: exception.code, detail: exception.detail, requestId: request.id },
      'Server error',
    );
  }
  if (reply.sent) return;
  replyWithProblem(reply, exception, String(request.id));
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(
      error,
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      this.logger,
    );
  }
}
