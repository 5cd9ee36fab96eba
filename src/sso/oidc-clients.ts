import { Injectable, Logger } from '@nestjs/common';
import { BaseClient, custom, errors, Issuer } from 'openid-client';
import { KeyholdException } from '../common/errors/keyhold.exception';
import {
  currentOutboundPolicy,
  OutboundPolicy,
  OutboundRefused,
  outboundPolicyContext,
} from '../common/net/outbound-policy';
import { AppConfig } from '../config/app-config';
import { SsoErrorCode, SsoException } from './sso.errors';
import { isNodeError } from '../common/errors/node-error';

const DISCOVERY_TTL_MS = 10 * 60_000;
const MAX_CACHED_ISSUERS = 500;
// Tolerated clock difference with the identity provider when checking iat/exp.
const CLOCK_TOLERANCE_SECONDS = 10;

export interface ProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** What Keyhold learns about the person from a validated ID token (and UserInfo if needed). */
export interface VerifiedIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

export interface CallbackChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/**
 * openid-client errors carry the checks (nonce, PKCE verifier) and response parameters with
 * them, so they are never logged or echoed: only a short reason without values is kept.
 */
function reasonOf(error: Error): string {
  return error.message.split(',')[0].slice(0, 120);
}

function toSsoException(error: unknown): unknown {
  if (error instanceof KeyholdException) return error;
  if (error instanceof OutboundRefused) {
    return new SsoException(
      SsoErrorCode.ProviderUnavailable,
      'The identity provider is not on a public address.',
    );
  }
  if (error instanceof errors.OPError) {
    return new SsoException(
      SsoErrorCode.ProviderError,
      `The identity provider answered "${String(error.error).slice(0, 80)}"; try signing in again.`,
    );
  }
  if (error instanceof Error && ('response' in error || /timed out/.test(error.message))) {
    return new SsoException(
      SsoErrorCode.ProviderUnavailable,
      `The identity provider gave no usable answer (${reasonOf(error)}).`,
    );
  }
  if (error instanceof errors.RPError) {
    return new SsoException(
      SsoErrorCode.TokenInvalid,
      `The sign-in response failed validation (${reasonOf(error)}).`,
    );
  }
  if (error instanceof TypeError && /id_token/.test(error.message)) {
    return new SsoException(SsoErrorCode.TokenInvalid, 'The identity provider sent no ID token.');
  }
  if (isNodeError(error)) {
    return new SsoException(
      SsoErrorCode.ProviderUnavailable,
      `The identity provider cannot be reached (${error.code}).`,
    );
  }
  return error;
}

const claimString = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 && value.length <= 254 ? value : null;

/** Some providers (e.g. AWS Cognito) send the boolean as a string. */
const claimTrue = (value: unknown): boolean => value === true || value === 'true';

// Discovery is static in openid-client: its one options hook asks the policy of the call.
Issuer[custom.http_options] = (url) => currentOutboundPolicy().httpOptionsFor(url);

const refusedIssuer = () =>
  new SsoException(
    SsoErrorCode.IssuerNotAllowed,
    'The issuer resolves to a loopback, private, link-local or otherwise non-public address. ' +
      'An intranet identity provider must be listed in SSO_ALLOWED_ISSUER_HOSTS.',
  );

/** openid-client behind a small surface: discovery (cached), authorization URL, code exchange. */
@Injectable()
export class OidcClients {
  private readonly logger = new Logger('OidcClients');
  private readonly issuers = new Map<string, { issuer: Promise<Issuer>; at: number }>();
  private readonly policy: OutboundPolicy;

  constructor(config: AppConfig) {
    this.policy = new OutboundPolicy(config.sso.allowedIssuerHosts);
  }

  /**
   * The provider's discovery document, cached per issuer for a while (it also caches the JWKS).
   * It must name itself exactly `issuerUrl` (OpenID Connect Discovery 4.3), else tokens would be
   * checked against an issuer the organization never chose. Every fetch for it (discovery,
   * keys, token, UserInfo) goes through the outbound address policy, and a failure says the same
   * whatever the fetched address answered (or did not): no port scanning through this.
   */
  discover(issuerUrl: string, failure: SsoErrorCode): Promise<Issuer> {
    const cached = this.issuers.get(issuerUrl);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.issuer;
    const unusable = () =>
      new SsoException(
        failure,
        `No usable OpenID Provider configuration was found at ${issuerUrl}/.well-known/` +
          'openid-configuration. It must answer 200 with a valid document whose issuer is ' +
          'exactly this value.',
      );
    const issuer = outboundPolicyContext
      .run(this.policy, () => Issuer.discover(issuerUrl))
      .then(
        (found) => {
          if (found.metadata.issuer !== issuerUrl) {
            this.logger.warn({ issuer: issuerUrl }, 'OpenID Connect discovery: issuer mismatch');
            throw unusable();
          }
          found[custom.http_options] = (url) => this.policy.httpOptionsFor(url);
          return found;
        },
        (error: unknown) => {
          if (error instanceof OutboundRefused) throw refusedIssuer();
          const reason = error instanceof Error ? reasonOf(error) : 'unknown error';
          this.logger.warn({ issuer: issuerUrl, reason }, 'OpenID Connect discovery failed');
          throw unusable();
        },
      );
    // Only successful discoveries stay; a superuser trying many issuers cannot grow it forever.
    if (this.issuers.size >= MAX_CACHED_ISSUERS) this.issuers.clear();
    this.issuers.set(issuerUrl, { issuer, at: Date.now() });
    issuer.catch(() => this.issuers.delete(issuerUrl));
    return issuer;
  }

  async client(settings: ProviderSettings, redirectUri: string): Promise<BaseClient> {
    const issuer = await this.discover(settings.issuer, SsoErrorCode.ProviderUnavailable);
    const client = new issuer.Client({
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      redirect_uris: [redirectUri],
      response_types: ['code'],
    });
    client[custom.clock_tolerance] = CLOCK_TOLERANCE_SECONDS;
    client[custom.http_options] = (url) => this.policy.httpOptionsFor(url);
    return client;
  }

  /**
   * Exchanges the code (with the PKCE verifier) and validates the ID token: signature against
   * the provider's JWKS, iss, aud, exp/iat and nonce. Providers that keep the email out of the
   * ID token (Okta, oidc-provider's default) are asked through UserInfo, whose `sub` must match.
   */
  async authenticate(
    client: BaseClient,
    redirectUri: string,
    params: Record<string, string>,
    checks: CallbackChecks,
  ): Promise<VerifiedIdentity> {
    try {
      const tokens = await client.callback(redirectUri, params, {
        state: checks.state,
        nonce: checks.nonce,
        code_verifier: checks.codeVerifier,
        response_type: 'code',
      });
      let claims: Record<string, unknown> = tokens.claims();
      if (claimString(claims.email) === null && tokens.access_token) {
        claims = { ...(await client.userinfo(tokens)), sub: claims.sub };
      }
      return {
        subject: String(claims.sub),
        email: claimString(claims.email),
        emailVerified: claimTrue(claims.email_verified),
      };
    } catch (error) {
      throw toSsoException(error);
    }
  }
}
