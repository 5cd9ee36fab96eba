import { SetMetadata } from '@nestjs/common';
import type { Permission } from '../permissions/permission';

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

/**
 * Every route declares who may call it; the global AuthGuard refuses a route that does not
 * (default deny), and a test walks every route to flag one that forgot.
 */
export const Authenticated = (rule: Omit<AuthRule, 'public'> = {}) => SetMetadata(AUTH_RULE, rule);

/** Open to anyone. `sessionOnly` still refuses an API token presented here. */
export const Public = (rule: Pick<AuthRule, 'sessionOnly'> = {}) =>
  SetMetadata(AUTH_RULE, { ...rule, public: true } satisfies AuthRule);
