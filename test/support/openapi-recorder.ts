import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where test servers write what they answered; set by the jest global setup. */
export const RECORD_DIR_VARIABLE = 'KEYHOLD_OPENAPI_RECORD_DIR';

function problemCode(contentType: unknown, payload: unknown): string | null {
  if (typeof contentType !== 'string' || !contentType.startsWith('application/problem+json')) {
    return null;
  }
  const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
  if (typeof text !== 'string') return null;
  try {
    const code = (JSON.parse(text) as { code?: unknown }).code;
    return typeof code === 'string' ? code : null;
  } catch {
    return null;
  }
}

/**
 * Appends every distinct (method, route template, status, code) a test server answers to a
 * JSON-lines file; the OpenAPI coverage reporter checks them all against openapi.json at the end
 * of the run. HEAD is answered by the GET route, so it is recorded as GET.
 */
export function recordAnswers(app: NestFastifyApplication): void {
  const dir = process.env[RECORD_DIR_VARIABLE];
  if (!dir) return;
  const file = join(dir, `${process.pid}.jsonl`);
  const seen = new Set<string>();
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const route = request.routeOptions.url;
    if (route) {
      const answer = [
        request.method === 'HEAD' ? 'GET' : request.method,
        route.replace(/:(\w+)/g, '{$1}'),
        reply.statusCode,
        problemCode(reply.getHeader('content-type'), payload),
      ];
      const line = JSON.stringify(answer);
      if (!seen.has(line)) {
        seen.add(line);
        appendFileSync(file, `${line}\n`);
      }
    }
    done(null, payload);
  });
}
