import { isIP } from 'node:net';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { scrubText } from '../secrets';
import { stripUnsafeCharacters } from '../text';

/** Where a request came from: one source for logs, rate limits, last-used, audit and emails. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
  requestId: string;
}

const MAX_USER_AGENT = 512;

/**
 * request.ip honours X-Forwarded-For only as far as TRUST_PROXY allows (Fastify trustProxy), but
 * it takes whatever text the forwarded header holds: anything that is not an address falls back
 * to the socket's peer, so only real addresses reach logs, limits and the `inet`-sized columns.
 */
export function clientIp(request: FastifyRequest): string {
  const ip = request.ip;
  if (typeof ip === 'string' && ip.length <= 45 && isIP(ip) !== 0) return ip;
  return request.socket?.remoteAddress ?? 'unknown';
}

/** A user agent as it may be logged, stored and mailed: no secrets, no controls, bounded. */
export function cleanUserAgent(raw: string | string[] | undefined): string {
  const text = Array.isArray(raw) ? raw.join(' ') : (raw ?? '');
  return stripUnsafeCharacters(scrubText(text)).slice(0, MAX_USER_AGENT);
}

/** The request's path without its query string (a query may carry anything, a token too). */
export function requestPath(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export function requestMetaOf(request: FastifyRequest): RequestMeta {
  return {
    ip: clientIp(request),
    userAgent: cleanUserAgent(request.headers['user-agent']),
    requestId: String(request.id),
  };
}

export const ReqMeta = createParamDecorator((_: unknown, context: ExecutionContext) =>
  requestMetaOf(context.switchToHttp().getRequest<FastifyRequest>()),
);
