import { HttpStatus } from '@nestjs/common';
import { exceptionFor, registerErrors } from '../common/errors/keyhold.exception';

/** SSO failures; a deactivated member gets the shared `account_disabled` (AuthErrorCode). */
export enum SsoErrorCode {
  NotConfigured = 'sso_not_configured',
  IssuerInvalid = 'sso_issuer_invalid',
  ConfigUnreadable = 'sso_config_unreadable',
  StateInvalid = 'sso_state_invalid',
  StateExpired = 'sso_state_expired',
  ProviderError = 'sso_provider_error',
  ProviderUnavailable = 'sso_provider_unavailable',
  TokenInvalid = 'sso_token_invalid',
  EmailUnverified = 'sso_email_unverified',
  EmailDomainNotAllowed = 'sso_email_domain_not_allowed',
  UserUnknown = 'sso_user_unknown',
  PasswordAccount = 'sso_password_account',
  IssuerNotAllowed = 'sso_issuer_not_allowed',
  IdentityMismatch = 'sso_identity_mismatch',
}

export const SsoException = exceptionFor(
  'SsoException',
  registerErrors<SsoErrorCode>({
    sso_not_configured: {
      status: HttpStatus.NOT_FOUND,
      title: 'Single sign-on is not configured for this organization',
    },
    sso_issuer_invalid: {
      status: HttpStatus.BAD_REQUEST,
      title: 'The issuer is not a usable OpenID Connect provider',
    },
    sso_config_unreadable: {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      title: 'The stored SSO client secret cannot be decrypted',
    },
    sso_state_invalid: {
      status: HttpStatus.BAD_REQUEST,
      title: 'Unknown, reused or foreign SSO login state',
    },
    sso_state_expired: { status: HttpStatus.BAD_REQUEST, title: 'The SSO login took too long' },
    sso_provider_error: {
      status: HttpStatus.BAD_REQUEST,
      title: 'The identity provider refused the sign-in',
    },
    sso_provider_unavailable: {
      status: HttpStatus.BAD_GATEWAY,
      title: 'The identity provider cannot be reached',
    },
    sso_token_invalid: {
      status: HttpStatus.UNAUTHORIZED,
      title: 'The ID token from the identity provider is not valid',
    },
    sso_email_unverified: {
      status: HttpStatus.FORBIDDEN,
      title: 'The identity provider did not vouch for the email address',
    },
    sso_email_domain_not_allowed: {
      status: HttpStatus.FORBIDDEN,
      title: 'That email domain may not sign in to this organization',
    },
    sso_user_unknown: {
      status: HttpStatus.FORBIDDEN,
      title: 'No SSO account in this organization has that email address',
    },
    sso_issuer_not_allowed: {
      status: HttpStatus.BAD_REQUEST,
      title: 'The issuer is not on a public address',
    },
    sso_identity_mismatch: {
      status: HttpStatus.FORBIDDEN,
      title: 'This account is linked to another identity at the provider',
    },
    sso_password_account: {
      status: HttpStatus.FORBIDDEN,
      title: 'This account signs in with a password, not SSO',
    },
  }),
);
export type SsoException = InstanceType<typeof SsoException>;
