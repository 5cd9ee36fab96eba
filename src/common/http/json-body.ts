import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { CommonErrorCode, CommonException } from '../errors/common-errors';

export const BODY_LIMIT = 64 * 1024;
/** No Keyhold body nests deeper than 3; 32 leaves room while keeping every walker's stack flat. */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of objects and arrays in a JSON text, found in one pass without parsing:
 * a 2.6 KB body of 1 300 brackets must be refused before anything recurses over it.
 */
export function jsonDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

const malformed = (detail: string) => new CommonException(CommonErrorCode.MalformedJson, detail);

/**
 * JSON only (text/plain is dropped), with Fastify's prototype-poisoning checks, a depth limit and
 * our own error for a malformed body (Fastify's becomes a bare 400 in Nest).
 */
export function useJsonBodyParser(adapter: FastifyAdapter): void {
  const fastify = adapter.getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('text/plain');
  adapter.useBodyParser(
    'application/json',
    false,
    { bodyLimit: BODY_LIMIT },
    (request, body, done) => {
      const text = Buffer.isBuffer(body) ? body.toString('utf8') : body;
      if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
        done(malformed(`The request body nests deeper than ${MAX_JSON_DEPTH} levels.`), undefined);
        return;
      }
      void parseJson(request, text, (error, value) => {
        if (error) done(malformed('The request body is not valid JSON.'), undefined);
        else done(null, value);
      });
    },
  );
}
