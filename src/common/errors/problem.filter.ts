import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { internalError, problemOf, toKeyholdException } from './problem';

/** Sends every error as RFC 9457 problem+json; unexpected ones are logged, never echoed. */
function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger) {
  let exception = toKeyholdException(error);
  if (!exception) {
    logger.error({ err: error, requestId: request.id }, 'Unhandled error');
    exception = internalError();
  }
  if (reply.sent) return;
  void reply
    .status(exception.status)
    .headers(exception.headers)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(problemOf(exception, String(request.id)));
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
