import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import helmet, { type HelmetOptions } from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { CommonErrorCode, CommonException } from '../errors/common-errors';
import { problemOf, replyWithProblem } from '../errors/problem';
import { containsSecret } from '../secrets';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface HttpLimits {
  /** Whole request (headers and body): a client that stalls is answered 408 and cut off. */
  requestTimeoutMs: number;
  headersTimeoutMs: number;
}

/** A caller's X-Request-Id is kept when it is plain and no secret; otherwise a fresh one. */
function requestIdOf(raw: IncomingMessage): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) && !containsSecret(given)
    ? given
    : randomUUID();
}

/**
 * RFC 9112 §3.2.2: a server must accept the absolute form (`GET http://host/path`). Routing,
 * middleware (MikroORM's request context) and logs all expect a path, so it becomes one here.
 */
function originForm(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  if (url.startsWith('/')) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    // `*` (OPTIONS) or garbage: a path no route matches, answered 404 as problem+json.
    return '/-invalid-request-target';
  }
}

const CLIENT_ERRORS: Record<string, { code: CommonErrorCode; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    code: CommonErrorCode.RequestTimeout,
    detail: 'The request was not received in time.',
  },
  HPE_HEADER_OVERFLOW: {
    code: CommonErrorCode.HeadersTooLarge,
    detail: 'The request headers exceed the allowed size.',
  },
};

/**
 * Errors of Node's HTTP parser, before any request object exists: answered on the raw socket as
 * problem+json, then the connection is closed (it cannot be trusted to frame another request).
 */
function clientErrorHandler(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''] ?? {
    code: CommonErrorCode.MalformedRequest,
    detail: 'The HTTP request could not be parsed.',
  };
  const exception = new CommonException(known.code, known.detail);
  const body = JSON.stringify(problemOf(exception));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${exception.status} ${STATUS_CODES[exception.status] ?? 'Error'}\r\n` +
        'Content-Type: application/problem+json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Cache-Control: no-store\r\nConnection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy();
}

/** Errors Fastify raises before routing (a path with bad percent-encoding). */
function frameworkErrors(_error: Error, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
  replyWithProblem(
    reply,
    new CommonException(
      CommonErrorCode.MalformedRequest,
      'The request path is not validly percent-encoded.',
    ),
    String(request.id),
  );
}

/** Fastify options that make the HTTP edge answer every client error as problem+json. */
export function httpEdgeOptions(limits: HttpLimits): Partial<FastifyServerOptions> {
  return {
    genReqId: requestIdOf,
    rewriteUrl: originForm,
    frameworkErrors,
    clientErrorHandler,
    requestTimeout: limits.requestTimeoutMs,
    // Headers are needed before anything else; Node refuses a headers timeout above the total.
    http: {
      // A missing Host is answered by our own hook (Node's own 400 has no body).
      requireHostHeader: false,
      headersTimeout: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs),
      // Node looks for expired requests only this often (30 s by default).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, limits.requestTimeoutMs / 4)),
    },
  } as Partial<FastifyServerOptions>;
}

// The API and its docs page load nothing from elsewhere; Swagger UI styles itself inline.
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  upgradeInsecureRequests: null,
};

/**
 * The headers helmet sets, computed once: they depend on nothing in the request, and
 * @fastify/helmet re-parses the CSP on every request (6.6 % of the CPU of GET /health/live).
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

const SECURITY_HEADERS = helmetHeaders({ contentSecurityPolicy: { directives: CSP_DIRECTIVES } });
const DOCS_HEADERS = helmetHeaders({
  contentSecurityPolicy: {
    directives: { ...CSP_DIRECTIVES, styleSrc: ["'self'", "'unsafe-inline'"] },
  },
});

/** Security headers, the request id header and the Host check, synchronously. */
function onRequest(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  void reply.headers(request.url.startsWith('/api/docs') ? DOCS_HEADERS : SECURITY_HEADERS);
  void reply.header('x-request-id', request.id);
  if (request.raw.httpVersionMajor === 1 && request.raw.httpVersionMinor >= 1) {
    if (!request.headers.host) {
      replyWithProblem(
        reply,
        new CommonException(
          CommonErrorCode.MalformedRequest,
          'An HTTP/1.1 request needs a Host header.',
        ),
        String(request.id),
      );
      return;
    }
  }
  done();
}

/** Security headers (helmet's), the request id header, the docs page's CSP and the Host check. */
export function registerHttpEdge(app: NestFastifyApplication): void {
  app.getHttpAdapter().getInstance().addHook('onRequest', onRequest);
}
