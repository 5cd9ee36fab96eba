import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiResponse, ApiSecurity } from '@nestjs/swagger';
import type { Permission } from './permission';

export const AUTH_RULE = 'keyhold:auth-rule';

export interface AuthRule {
  /** No credential needed. */
  public?: boolean;
  /** Refuse API tokens (403 token_not_allowed): credential management and session endpoints. */
  sessionOnly?: boolean;
  permission?: Permission;
  superuser?: boolean;
  /** Password sessions must have entered the password within REAUTH_WINDOW_MINUTES. */
  recentPassword?: boolean;
}

const problem = (status: number, description: string) =>
  ApiResponse({
    status,
    description,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  });

/** The OpenAPI side of a rule: which credentials work here and which refusals to expect. */
function documented(rule: AuthRule) {
  if (rule.public) return [problem(400, 'validation_failed, malformed_json')];
  const refusals = [
    'insufficient_scope (a read-only token on POST, PUT, PATCH or DELETE)',
    rule.sessionOnly && 'token_not_allowed',
    rule.superuser && 'superuser_required',
    rule.permission && 'permission_denied',
    rule.recentPassword && 'reauthentication_required',
    'csrf_failed (cookie requests without X-CSRF-Token)',
  ].filter(Boolean);
  return [
    ApiSecurity('session'),
    ...(rule.sessionOnly
      ? []
      : [ApiSecurity('bearer'), ApiSecurity('token'), ApiSecurity('apiToken')]),
    problem(
      401,
      'authentication_required, invalid_token (WWW-Authenticate: Bearer), session_expired',
    ),
    problem(403, refusals.join(', ')),
  ];
}

/**
 * Every route declares who may call it; the global AuthGuard refuses a route that does not
 * (default deny), and a test walks every route to flag one that forgot.
 */
export const Authenticated = (rule: Omit<AuthRule, 'public'> = {}) =>
  applyDecorators(SetMetadata(AUTH_RULE, rule), ...documented(rule));

/** Open to anyone. `sessionOnly` still refuses an API token presented here. */
export const Public = (rule: Pick<AuthRule, 'sessionOnly'> = {}) => {
  const full: AuthRule = { ...rule, public: true };
  return applyDecorators(SetMetadata(AUTH_RULE, full), ...documented(full));
};
