import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Where a request came from: one source for logs, rate limits, last-used, audit and emails. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
  requestId: string;
}

export function requestMetaOf(request: FastifyRequest): RequestMeta {
  // request.ip honours X-Forwarded-For only as far as TRUST_PROXY allows (Fastify trustProxy).
  return {
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 512),
    requestId: String(request.id),
  };
}

export const ReqMeta = createParamDecorator((_: unknown, context: ExecutionContext) =>
  requestMetaOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
