import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable, Logger } from '@nestjs/common';
import { generators } from 'openid-client';
import { AuditAction } from '../audit/audit-action';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { AuthErrorCode, AuthException } from '../common/access/auth.errors';
import { AuthService } from '../auth/auth.service';
import type { IssuedSession } from '../sessions/sessions.service';
import { KeyholdException } from '../common/errors/keyhold.exception';
import type { RequestMeta } from '../common/http/request-meta';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { AppConfig } from '../config/app-config';
import { OrganizationsService } from '../organizations/organizations.service';
import { Membership } from '../users/membership.entity';
import { AuthMethod } from '../common/access/auth-method';
import { UsersService } from '../users/users.service';
import { OidcClients, VerifiedIdentity } from './oidc-clients';
import { OrganizationSso } from './organization-sso.entity';
import { SsoErrorCode, SsoException } from './sso.errors';
import { SsoLoginStates } from './sso-login-states';
import { SsoSecretBox } from './sso-secret-box';
import { normaliseSettings, SsoSettings } from './sso-settings';

export const SSO_CALLBACK_PATH = '/api/v1/auth/sso/callback';
const SCOPE = 'openid email';
// Parameters an authorization response may carry (RFC 6749 4.1.2, RFC 9207, OIDC session).
const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'session_state'];

export interface SsoPublicConfig {
  organizationId: string;
  issuer: string;
  clientId: string;
  allowedEmailDomains: string[];
  /** Register this at the identity provider. */
  redirectUri: string;
  clientSecretSet: true;
  updatedAt: string;
}

export interface SsoStart {
  authorizationUrl: string;
  /** Value of the browser-binding cookie the callback must bring back. */
  browserBinding: string;
}

export type SsoLogin = { member: Membership } & IssuedSession;

const secretContext = (organizationId: string) => `organization_sso:${organizationId}`;

const notConfigured = () =>
  new SsoException(
    SsoErrorCode.NotConfigured,
    'This organization has no single sign-on; sign in with your password.',
  );

/** Per-organization OpenID Connect: configuration and the authorization code + PKCE login. */
@Injectable()
export class SsoService {
  private readonly logger = new Logger('SsoService');

  constructor(
    private readonly em: EntityManager,
    private readonly config: AppConfig,
    private readonly box: SsoSecretBox,
    private readonly oidc: OidcClients,
    private readonly states: SsoLoginStates,
    private readonly organizations: OrganizationsService,
    private readonly users: UsersService,
    private readonly rateLimits: RateLimitService,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  get redirectUri(): string {
    return `${this.config.http.publicUrl.replace(/\/+$/, '')}${SSO_CALLBACK_PATH}`;
  }

  /** Sets (or replaces) the organization's provider after checking its discovery document. */
  async configure(organizationId: string, input: SsoSettings): Promise<SsoPublicConfig> {
    const settings = normaliseSettings(input, this.config.env === 'production');
    await this.organizations.getSummary(organizationId);
    await this.oidc.discover(settings.issuer, SsoErrorCode.IssuerInvalid);
    const sealed = await this.box.seal(settings.clientSecret, secretContext(organizationId));
    const values = {
      issuer: settings.issuer,
      clientId: settings.clientId,
      clientSecretEncrypted: sealed,
      allowedEmailDomains: settings.allowedEmailDomains,
      updatedAt: new Date(),
    };
    const existing = await this.em.findOne(OrganizationSso, { organizationId });
    const row = existing
      ? Object.assign(existing, values)
      : this.em.create(OrganizationSso, { organizationId, ...values });
    await this.em.flush();
    this.logger.log(
      { organizationId, issuer: row.issuer, clientId: row.clientId },
      'Organization SSO configured',
    );
    return this.publicView(row);
  }

  async getPublicConfig(organizationId: string): Promise<SsoPublicConfig> {
    const row = await this.em.findOne(OrganizationSso, { organizationId });
    if (!row) throw notConfigured();
    return this.publicView(row);
  }

  /** Begins a login: a pending state, and the provider's authorization URL to redirect to. */
  async start(orgSlug: string, meta: RequestMeta): Promise<SsoStart> {
    const limit = { bucket: 'sso-start', limit: this.config.auth.loginLimitPerMinute };
    await this.rateLimits.consume({ ...limit, windowMs: 60_000 }, meta.ip);
    const organization = await this.organizations.findBySlug(orgSlug);
    const row =
      organization && (await this.em.findOne(OrganizationSso, { organizationId: organization.id }));
    if (!row) throw notConfigured();
    const client = await this.clientFor(row);
    const codeVerifier = generators.codeVerifier();
    const pending = await this.states.create(row.organizationId, {
      state: generators.state(),
      nonce: generators.nonce(),
      codeVerifier,
    });
    const authorizationUrl = client.authorizationUrl({
      scope: SCOPE,
      redirect_uri: this.redirectUri,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: generators.codeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { authorizationUrl, browserBinding: pending.browserBinding };
  }

  /**
   * Finishes a login: the state must be pending for this browser (and is used up), the code is
   * exchanged and the ID token validated, and the person must be an active SSO member of the
   * organization that state belongs to, with a verified email address in an allowed domain.
   */
  async callback(
    query: Record<string, unknown>,
    meta: RequestMeta,
    browserBinding: string | undefined,
  ): Promise<SsoLogin> {
    let organizationId: string | undefined;
    try {
      const pending = await this.states.consume(query.state, browserBinding);
      organizationId = pending.organizationId;
      const row = await this.em.findOne(OrganizationSso, { organizationId });
      if (!row) throw notConfigured();
      const params = Object.fromEntries(
        CALLBACK_PARAMS.flatMap((key) =>
          typeof query[key] === 'string' ? [[key, query[key]]] : [],
        ),
      ) as Record<string, string>;
      const identity = await this.oidc.authenticate(
        await this.clientFor(row),
        this.redirectUri,
        params,
        pending,
      );
      const member = await this.memberFor(identity, row);
      return await this.auth.signIn(member, AuthMethod.Sso, meta, row.issuer);
    } catch (error) {
      if (error instanceof KeyholdException) {
        this.logger.warn(
          { organizationId, code: error.code, reason: error.detail, requestId: meta.requestId },
          'SSO sign-in refused',
        );
        // A refusal we can place in an organization is on its record too.
        if (organizationId) {
          await this.audit.record({
            organizationId,
            action: AuditAction.LoginFailed,
            actor: SYSTEM_ACTOR,
            meta,
            metadata: { method: 'sso', reason: error.code },
          });
        }
      }
      throw error;
    }
  }

  private async clientFor(row: OrganizationSso) {
    const clientSecret = await this.box.open(
      row.clientSecretEncrypted,
      secretContext(row.organizationId),
    );
    if (clientSecret === null) {
      this.logger.error(
        { organizationId: row.organizationId },
        'Cannot decrypt the SSO client secret: was SSO_SECRET_KEY or DATA_DIR/sso.key changed?',
      );
      throw new SsoException(
        SsoErrorCode.ConfigUnreadable,
        'Single sign-on is misconfigured on the server; a superuser must enter the client secret again.',
      );
    }
    const settings = { issuer: row.issuer, clientId: row.clientId, clientSecret };
    return this.oidc.client(settings, this.redirectUri);
  }

  private async memberFor(identity: VerifiedIdentity, row: OrganizationSso): Promise<Membership> {
    if (!identity.email || !identity.emailVerified) {
      throw new SsoException(
        SsoErrorCode.EmailUnverified,
        'The identity provider must release a verified email address (claims email, email_verified).',
      );
    }
    const email = this.users.normaliseEmail(identity.email);
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (row.allowedEmailDomains.length > 0 && !row.allowedEmailDomains.includes(domain)) {
      throw new SsoException(
        SsoErrorCode.EmailDomainNotAllowed,
        `Addresses at ${domain} may not sign in to this organization.`,
      );
    }
    const member = await this.users.findByEmail(email);
    if (!member || member.organizationId !== row.organizationId) {
      throw new SsoException(
        SsoErrorCode.UserUnknown,
        `No SSO account in this organization has the address ${email}; ask a superuser to add you.`,
      );
    }
    if (member.authMethod !== AuthMethod.Sso) {
      throw new SsoException(
        SsoErrorCode.PasswordAccount,
        'This account signs in with its password (POST /api/v1/auth/login), not through SSO.',
      );
    }
    if (!member.isActive) {
      throw new AuthException(AuthErrorCode.AccountDisabled, 'This account has been deactivated.');
    }
    // The email alone is not an identity: a provider may hand a freed address to someone else.
    if (!(await this.users.pinSsoSubject(member, identity.subject.slice(0, 255)))) {
      throw new SsoException(
        SsoErrorCode.IdentityMismatch,
        'This account is linked to another identity at your identity provider; ask a superuser ' +
          'to switch the account to password and back to SSO to link it again.',
      );
    }
    return member;
  }

  private publicView(row: OrganizationSso): SsoPublicConfig {
    return {
      organizationId: row.organizationId,
      issuer: row.issuer,
      clientId: row.clientId,
      allowedEmailDomains: [...row.allowedEmailDomains],
      redirectUri: this.redirectUri,
      clientSecretSet: true,
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
