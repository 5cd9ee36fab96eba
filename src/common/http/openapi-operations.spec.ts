import type { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import '../access/auth.errors';
import '../../tokens/tokens.errors';
import { ACCESS_EXTENSION, ERRORS_EXTENSION, OperationAccess } from './openapi-decorators';
import { errorCodesByStatus, OpenApiContractError } from './openapi-operations';

const access = (rule: Partial<OperationAccess>): OperationAccess => ({
  public: false,
  sessionOnly: false,
  permission: false,
  superuser: false,
  recentPassword: false,
  ...rule,
});

const operation = (extensions: Record<string, unknown>, shape: Partial<OperationObject> = {}) =>
  ({ operationId: 'example', responses: {}, ...shape, ...extensions }) as OperationObject &
    Record<string, unknown>;

const byStatus = (map: Map<number, string[]>) => Object.fromEntries(map);

describe('error codes derived per operation', () => {
  it('gives a public GET without inputs only the server-side answers', () => {
    expect(
      byStatus(
        errorCodesByStatus(operation({ [ACCESS_EXTENSION]: access({ public: true }) }), 'get'),
      ),
    ).toEqual({
      500: ['internal_error'],
      503: ['service_unavailable'],
    });
  });

  it('adds the guard’s refusals, the body parser’s and the declared codes', () => {
    const codes = errorCodesByStatus(
      operation(
        {
          [ACCESS_EXTENSION]: access({ sessionOnly: true, permission: true, recentPassword: true }),
          [ERRORS_EXTENSION]: ['token_name_taken', 'rate_limited'],
        },
        { requestBody: { content: {} } },
      ),
      'post',
    );
    expect(byStatus(codes)).toEqual({
      400: ['validation_failed', 'malformed_json'],
      401: ['authentication_required', 'invalid_token', 'session_expired'],
      403: [
        'csrf_failed',
        'insufficient_scope',
        'token_not_allowed',
        'permission_denied',
        'reauthentication_required',
      ],
      409: ['token_name_taken'],
      413: ['payload_too_large'],
      415: ['unsupported_media_type'],
      429: ['rate_limited'],
      500: ['internal_error'],
      503: ['service_unavailable'],
    });
  });

  it('refuses to build a document with a code no module registers', () => {
    expect(() =>
      errorCodesByStatus(
        operation({ [ACCESS_EXTENSION]: access({}), [ERRORS_EXTENSION]: ['no_such_code'] }),
        'get',
      ),
    ).toThrow(OpenApiContractError);
  });
});
