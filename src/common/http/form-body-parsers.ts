import fastifyFormBody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { CommonErrorCode, CommonException } from '../errors/common-errors';

/**
 * Routes that also take form bodies, like Django REST framework's obtain_auth_token does
 * (scripts send `-d username=… -d password=…` or `-F …`). Every other route stays JSON-only:
 * a form body there is 415, as before.
 */
export const FORM_BODY_ROUTES: ReadonlySet<string> = new Set(['/api/v1/api-token-auth']);

const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;
// Credentials and a name: a few short text fields. One file is let through to the parser only to
// be refused with a clear 400 (a files limit of 0 would answer 413).
const MULTIPART_LIMITS = { fields: 20, fieldNameSize: 100, fieldSize: 4096, files: 1, parts: 20 };

function formOf(request: FastifyRequest): string | null {
  const type = request.headers['content-type'];
  return typeof type === 'string' ? (FORM_TYPES.exec(type)?.[1]?.toLowerCase() ?? null) : null;
}

const tooLarge = () =>
  new CommonException(CommonErrorCode.PayloadTooLarge, 'The form has too many or too long fields.');

/** Multipart fields as a plain object (repeated names become arrays); files are refused. */
async function multipartFields(request: FastifyRequest): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  try {
    for await (const part of request.parts({ limits: MULTIPART_LIMITS })) {
      if (part.type === 'file') {
        part.file.resume();
        throw new CommonException(
          CommonErrorCode.ValidationFailed,
          'Files are not accepted here.',
          {
            errors: [{ field: part.fieldname, message: `${part.fieldname} must be a text field` }],
          },
        );
      }
      if (part.valueTruncated) throw tooLarge();
      const value = String(part.value);
      const existing = body[part.fieldname];
      body[part.fieldname] =
        existing === undefined ? value : ([] as unknown[]).concat(existing, value);
    }
  } catch (error) {
    if (error instanceof CommonException) throw error;
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) throw tooLarge();
    throw new CommonException(CommonErrorCode.ValidationFailed, 'The multipart body is malformed.');
  }
  return body;
}

/**
 * Registers the form parsers (@fastify/formbody, @fastify/multipart) with the same size limit
 * as JSON, and keeps them to FORM_BODY_ROUTES.
 */
export async function useFormBodyParsers(
  app: NestFastifyApplication,
  bodyLimit: number,
): Promise<void> {
  await app.register(fastifyFormBody, { bodyLimit });
  await app.register(fastifyMultipart, { limits: { ...MULTIPART_LIMITS, fileSize: bodyLimit } });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (formOf(request) && !FORM_BODY_ROUTES.has(request.routeOptions.url ?? '')) {
      done(
        new CommonException(
          CommonErrorCode.UnsupportedMediaType,
          'Send a JSON body (Content-Type: application/json).',
        ),
      );
      return;
    }
    done(null, payload);
  });
  fastify.addHook('preValidation', async (request) => {
    if (formOf(request) === 'multipart/form-data') request.body = await multipartFields(request);
  });
}
