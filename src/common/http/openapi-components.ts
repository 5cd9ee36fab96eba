import type { OpenAPIObject } from '@nestjs/swagger';
import { CSRF_COOKIE, SESSION_COOKIE } from '../access/cookies';
import { CommonErrorCode } from '../errors/common-errors';
import { errorCatalogue } from '../errors/keyhold.exception';

type Components = NonNullable<OpenAPIObject['components']>;

/** Answered by the HTTP edge to any request, before (or without) routing to an operation. */
export const EDGE_ERROR_CODES: readonly string[] = [
  CommonErrorCode.MalformedRequest,
  CommonErrorCode.RequestTimeout,
  CommonErrorCode.HeadersTooLarge,
  CommonErrorCode.NotFound,
  CommonErrorCode.MethodNotAllowed,
];

export const SCHEME = {
  bearer: 'bearer',
  token: 'token',
  clientId: 'clientId',
  apiToken: 'apiToken',
  session: 'session',
} as const;

export const PARAMETER = {
  requestId: 'X-Request-Id',
  organizationId: 'X-Organization-Id',
  workspaceId: 'X-Workspace-Id',
  csrfToken: 'X-CSRF-Token',
} as const;

export const HEADER = {
  requestId: 'X-Request-Id',
  wwwAuthenticate: 'WWW-Authenticate',
  retryAfter: 'Retry-After',
  location: 'Location',
} as const;

export const ref = (section: string, name: string) => ({
  $ref: `#/components/${section}/${name}`,
});

function problemSchema() {
  const codes = [...errorCatalogue.entries()].sort(([a], [b]) => a.localeCompare(b));
  return {
    type: 'object',
    description:
      'RFC 9457 problem details. `code` is stable; each operation lists the codes it can ' +
      'answer under each of its error responses. Every code:\n\n' +
      codes.map(([code, { status, title }]) => `- \`${code}\` (${status}): ${title}`).join('\n'),
    required: ['type', 'title', 'status', 'detail', 'code'],
    properties: {
      type: { type: 'string', example: 'urn:keyhold:problem:validation_failed' },
      title: { type: 'string', example: 'The request is not valid' },
      status: { type: 'integer', example: 400 },
      detail: { type: 'string', example: 'name must not be empty' },
      code: { type: 'string', enum: codes.map(([code]) => code) },
      requestId: { type: 'string', example: '5f1c2a5e-0d6f-4d4b-9a38-1f0ad1f3c9b2' },
      errors: {
        type: 'array',
        description: 'Field-level details of a validation_failed answer',
        items: {
          type: 'object',
          required: ['field', 'message'],
          properties: {
            field: { type: 'string', example: 'name' },
            message: { type: 'string', example: 'name must not be empty' },
          },
        },
      },
    },
  };
}

const TOKEN = 'An opaque `khp_…` API token (not a JWT).';

function securitySchemes(): Components['securitySchemes'] {
  return {
    [SCHEME.bearer]: {
      type: 'http',
      scheme: 'bearer',
      description: `\`Authorization: Bearer <token>\`. ${TOKEN}`,
    },
    [SCHEME.token]: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description: `\`Authorization: Token <token>\` (the literal word Token, a space, the token). ${TOKEN}`,
    },
    [SCHEME.clientId]: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Client-Id',
      description: 'The token id; goes together with X-Api-Token (both must match one token).',
    },
    [SCHEME.apiToken]: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Api-Token',
      description: `${TOKEN} Goes together with X-Client-Id.`,
    },
    [SCHEME.session]: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description:
        'The HttpOnly session cookie set by POST /api/v1/auth/login or the SSO callback. Unsafe ' +
        `requests also send the \`${CSRF_COOKIE}\` cookie's value in the X-CSRF-Token header.`,
    },
  };
}

const header = (name: string, description: string, required = false) => ({
  name,
  in: 'header' as const,
  required,
  description,
  schema: { type: 'string' as const },
});

function parameters(): Components['parameters'] {
  return {
    [PARAMETER.requestId]: {
      ...header(
        PARAMETER.requestId,
        'Kept and echoed when it is 1-64 characters of `A-Za-z0-9._-` (and no token); otherwise a fresh id is used.',
      ),
      schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' },
    },
    [PARAMETER.organizationId]: {
      ...header(
        PARAMETER.organizationId,
        'With an API token: the organization the caller means; it must be the token’s (otherwise 401 invalid_token).',
      ),
      schema: { type: 'string', format: 'uuid' },
    },
    [PARAMETER.workspaceId]: {
      ...header(PARAMETER.workspaceId, `Alias of ${PARAMETER.organizationId}.`),
      schema: { type: 'string', format: 'uuid' },
    },
    [PARAMETER.csrfToken]: header(
      PARAMETER.csrfToken,
      `With the session cookie: the \`${CSRF_COOKIE}\` cookie's value (also the csrfToken of the login answer); otherwise 403 csrf_failed. Not needed with an API token.`,
    ),
  };
}

function headers(): Components['headers'] {
  const plain = (description: string) => ({ description, schema: { type: 'string' as const } });
  return {
    [HEADER.requestId]: plain('The request id (the caller’s when acceptable), also in logs.'),
    [HEADER.wwwAuthenticate]: plain('RFC 6750 challenge, e.g. `Bearer realm="keyhold"`.'),
    [HEADER.retryAfter]: {
      description: 'Seconds to wait before trying again.',
      schema: { type: 'integer' as const },
    },
    [HEADER.location]: plain('Where the browser is sent.'),
  };
}

/** Shared schemas, security schemes, parameters and headers the operations refer to. */
export function sharedComponents(existing: Components | undefined): Components {
  return {
    ...existing,
    schemas: { ...existing?.schemas, Problem: problemSchema() },
    securitySchemes: securitySchemes(),
    parameters: parameters(),
    headers: headers(),
  };
}
