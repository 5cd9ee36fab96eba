import type { OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
  ReferenceObject,
  ResponseObject,
  SecurityRequirementObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AuthErrorCode } from '../access/auth.errors';
import { CommonErrorCode } from '../errors/common-errors';
import { errorCatalogue } from '../errors/keyhold.exception';
import { HEADER, PARAMETER, ref, SCHEME } from './openapi-components';
import { ACCESS_EXTENSION, ERRORS_EXTENSION, OperationAccess } from './openapi-decorators';

/** A handler's declared error code that no module registered: the document cannot be built. */
export class OpenApiContractError extends Error {}

const SAFE_METHODS = new Set(['get', 'head', 'options']);
// Fastify parses a body for every method but GET and HEAD.
const BODYLESS_METHODS = new Set(['get', 'head']);

/** Every operation can fail on the server's side. */
const EVERY_OPERATION = [CommonErrorCode.InternalError, CommonErrorCode.ServiceUnavailable];

/** The refusals of the global AuthGuard for a rule (mirrors auth.guard.ts). */
function accessCodes(access: OperationAccess | undefined, method: string): string[] {
  if (!access) return [CommonErrorCode.RouteWithoutAuthRule];
  if (access.public) {
    // A session-only public endpoint authenticates a presented token to refuse it.
    if (!access.sessionOnly) return [];
    const refused = [AuthErrorCode.InvalidToken, AuthErrorCode.TokenNotAllowed];
    return SAFE_METHODS.has(method) ? refused : [...refused, AuthErrorCode.InsufficientScope];
  }
  const codes: (string | false)[] = [
    AuthErrorCode.AuthenticationRequired,
    AuthErrorCode.InvalidToken,
    AuthErrorCode.SessionExpired,
    !SAFE_METHODS.has(method) && AuthErrorCode.CsrfFailed,
    // A read-only token is refused on every unsafe method, before any other rule (SPEC §2a).
    !SAFE_METHODS.has(method) && AuthErrorCode.InsufficientScope,
    access.sessionOnly && AuthErrorCode.TokenNotAllowed,
    access.superuser && AuthErrorCode.SuperuserRequired,
    access.permission && AuthErrorCode.PermissionDenied,
    access.recentPassword && AuthErrorCode.ReauthenticationRequired,
  ];
  return codes.filter((code): code is string => code !== false);
}

const isParameter = (p: ParameterObject | ReferenceObject): p is ParameterObject => 'in' in p;

/** The body parser's and the validation pipe's refusals for the operation's inputs. */
function inputCodes(operation: OperationObject, method: string): string[] {
  const takesInput =
    operation.requestBody !== undefined ||
    (operation.parameters ?? []).some(
      (p) => isParameter(p) && (p.in === 'path' || p.in === 'query'),
    );
  const codes: string[] = takesInput ? [CommonErrorCode.ValidationFailed] : [];
  if (!BODYLESS_METHODS.has(method)) {
    codes.push(
      CommonErrorCode.MalformedJson,
      CommonErrorCode.PayloadTooLarge,
      CommonErrorCode.UnsupportedMediaType,
    );
  }
  return codes;
}

function errorResponse(status: number, codes: string[]): ResponseObject & Record<string, unknown> {
  const titled = codes.map((code) => ({ code, title: errorCatalogue.get(code)?.title ?? code }));
  return {
    description: titled.map(({ code, title }) => `\`${code}\`: ${title}`).join('; '),
    headers: {
      [HEADER.requestId]: ref('headers', HEADER.requestId),
      ...(status === 401
        ? { [HEADER.wwwAuthenticate]: ref('headers', HEADER.wwwAuthenticate) }
        : {}),
      ...(status === 429 ? { [HEADER.retryAfter]: ref('headers', HEADER.retryAfter) } : {}),
    },
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            ref('schemas', 'Problem'),
            { type: 'object', properties: { code: { type: 'string', enum: codes } } },
          ],
        },
        examples: Object.fromEntries(
          titled.map(({ code, title }) => [
            code,
            {
              summary: title,
              value: {
                type: `urn:keyhold:problem:${code}`,
                title,
                status,
                detail: `${title}.`,
                code,
              },
            },
          ]),
        ),
      },
    },
    'x-error-codes': codes,
  };
}

/** Every code the operation can answer, grouped by status (ordered as the codes are). */
export function errorCodesByStatus(
  operation: OperationObject & Record<string, unknown>,
  method: string,
): Map<number, string[]> {
  const access = operation[ACCESS_EXTENSION] as OperationAccess | undefined;
  const declared = (operation[ERRORS_EXTENSION] as string[] | undefined) ?? [];
  const all = [
    ...accessCodes(access, method),
    ...inputCodes(operation, method),
    ...declared,
    ...EVERY_OPERATION,
  ];
  const byStatus = new Map<number, string[]>();
  for (const code of new Set(all)) {
    const definition = errorCatalogue.get(code);
    if (!definition) {
      throw new OpenApiContractError(
        `${operation.operationId ?? '?'} declares the error code "${code}", which no module registers.`,
      );
    }
    byStatus.set(definition.status, [...(byStatus.get(definition.status) ?? []), code]);
  }
  return byStatus;
}

const TOKEN_FORMS: SecurityRequirementObject[] = [
  { [SCHEME.bearer]: [] },
  { [SCHEME.token]: [] },
  { [SCHEME.clientId]: [], [SCHEME.apiToken]: [] },
];

function securityOf(access: OperationAccess | undefined): SecurityRequirementObject[] {
  if (!access || access.public) return [];
  const session = { [SCHEME.session]: [] };
  return access.sessionOnly ? [session] : [...TOKEN_FORMS, session];
}

function headerParameters(access: OperationAccess | undefined, method: string) {
  const names: string[] = [PARAMETER.requestId];
  if (access && !access.public) {
    if (!access.sessionOnly) names.push(PARAMETER.organizationId, PARAMETER.workspaceId);
    if (!SAFE_METHODS.has(method)) names.push(PARAMETER.csrfToken);
  }
  return names.map((name) => ref('parameters', name));
}

const SUCCESS_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'Done; no body',
  '302': 'Redirect',
};

function completeSuccessResponses(operation: OperationObject): void {
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!response || '$ref' in response) continue;
    if (!response.description) response.description = SUCCESS_DESCRIPTIONS[status] ?? 'OK';
    response.headers = {
      ...response.headers,
      [HEADER.requestId]: ref('headers', HEADER.requestId),
      ...(status.startsWith('3') ? { [HEADER.location]: ref('headers', HEADER.location) } : {}),
    };
  }
}

/**
 * Completes one operation from its access rule, its inputs and its declared codes: security,
 * header parameters and every error response with the codes it can carry.
 */
export function completeOperation(operation: OperationObject, method: string): void {
  const extended = operation as OperationObject & Record<string, unknown>;
  const access = extended[ACCESS_EXTENSION] as OperationAccess | undefined;
  const byStatus = errorCodesByStatus(extended, method);
  delete extended[ACCESS_EXTENSION];
  delete extended[ERRORS_EXTENSION];
  operation.security = securityOf(access);
  operation.parameters = [...(operation.parameters ?? []), ...headerParameters(access, method)];
  completeSuccessResponses(operation);
  // Only the derived error responses: nothing hand-written can contradict them.
  for (const status of Object.keys(operation.responses)) {
    if (Number(status) >= 400) delete operation.responses[status];
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    operation.responses[String(status)] = errorResponse(status, codes);
  }
}

/** Applies `completeOperation` to every operation of the document. */
export function completeOperations(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const [method, operation] of Object.entries(pathItem)) {
      if (operation && typeof operation === 'object' && 'responses' in operation) {
        completeOperation(operation as OperationObject, method);
      }
    }
  }
}
