import { applyDecorators, SetMetadata } from '@nestjs/common';
import type { Permission } from './permission';
import { ApiAccess } from '../http/openapi-decorators';

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

/** The OpenAPI side of a rule: security, headers and refusals derive from it (openapi-operations). */
const documented = (rule: AuthRule) =>
  ApiAccess({
    public: rule.public === true,
    sessionOnly: rule.sessionOnly === true,
    permission: rule.permission !== undefined,
    superuser: rule.superuser === true,
    recentPassword: rule.recentPassword === true,
  });

/**
 * Every route declares who may call it; the global AuthGuard refuses a route that does not
 * (default deny), and a test walks every route to flag one that forgot.
 */
export const Authenticated = (rule: Omit<AuthRule, 'public'> = {}) =>
  applyDecorators(SetMetadata(AUTH_RULE, rule), documented(rule));

/** Open to anyone. `sessionOnly` still refuses an API token presented here. */
export const Public = (rule: Pick<AuthRule, 'sessionOnly'> = {}) => {
  const full: AuthRule = { ...rule, public: true };
  return applyDecorators(SetMetadata(AUTH_RULE, full), documented(full));
};
