import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../errors/keyhold.exception';

export enum AuthErrorCode {
  AuthenticationRequired = 'authentication_required',
  InvalidToken = 'invalid_token',
  SessionExpired = 'session_expired',
  InvalidCredentials = 'invalid_credentials',
  AccountDisabled = 'account_disabled',
  SsoRequired = 'sso_required',
  SsoUser = 'sso_user',
  CsrfFailed = 'csrf_failed',
  ReauthenticationRequired = 'reauthentication_required',
  TokenNotAllowed = 'token_not_allowed',
  PermissionDenied = 'permission_denied',
  SuperuserRequired = 'superuser_required',
  InsufficientScope = 'insufficient_scope',
}

export const AuthException = exceptionFor(
  'AuthException',
  registerErrors<AuthErrorCode>({
    authentication_required: { status: HttpStatus.UNAUTHORIZED, title: 'Authentication required' },
    invalid_token: { status: HttpStatus.UNAUTHORIZED, title: 'The token is not valid' },
    session_expired: { status: HttpStatus.UNAUTHORIZED, title: 'The session has expired' },
    invalid_credentials: { status: HttpStatus.BAD_REQUEST, title: 'Invalid credentials' },
    account_disabled: { status: HttpStatus.FORBIDDEN, title: 'The account is deactivated' },
    sso_required: { status: HttpStatus.FORBIDDEN, title: 'This account signs in with SSO' },
    sso_user: {
      status: HttpStatus.FORBIDDEN,
      title: 'SSO accounts create tokens from their profile',
    },
    csrf_failed: { status: HttpStatus.FORBIDDEN, title: 'CSRF check failed' },
    reauthentication_required: {
      status: HttpStatus.FORBIDDEN,
      title: 'Re-enter your password to continue',
    },
    token_not_allowed: {
      status: HttpStatus.FORBIDDEN,
      title: 'API tokens cannot use this endpoint',
    },
    permission_denied: { status: HttpStatus.FORBIDDEN, title: 'Permission denied' },
    superuser_required: {
      status: HttpStatus.FORBIDDEN,
      title: 'Only organization superusers may do this',
    },
    insufficient_scope: { status: HttpStatus.FORBIDDEN, title: 'The token is read-only' },
  }),
);
export type AuthException = InstanceType<typeof AuthException>;

/** 401 with the RFC 6750 challenge; the description is fixed text, never caller input. */
export function invalidToken(description: string): AuthException {
  // RFC 6750 §3: error_description excludes '"' and '\'.
  const quoted = description.replace(/["\\]/g, "'");
  return new AuthException(AuthErrorCode.InvalidToken, description, {
    headers: {
      'www-authenticate': `Bearer realm="keyhold", error="invalid_token", error_description="${quoted}"`,
    },
  });
}
