import { Injectable } from '@nestjs/common';
import type { RequestMeta } from '../common/http/request-meta';
import { RateLimitService } from '../common/rate-limit/rate-limit.service';
import { AppConfig } from '../config/app-config';
import { AuthMethod, Membership } from '../users/membership.entity';
import { UsersService } from '../users/users.service';
import { Permission } from '../permissions/permission';
import { TokenChannel } from '../tokens/api-token.entity';
import { ProfileTokensService } from '../tokens/profile-tokens.service';
import { ApiTokenAuthDto, CreatedTokenView } from '../tokens/tokens.dto';
import { AuthErrorCode, AuthException } from './auth.errors';
import type { Principal } from './principal';
import { IssuedSession, SessionsService } from './sessions.service';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="keyhold"' };
const BAD_CREDENTIALS = 'The email or password is incorrect.';

@Injectable()
export class AuthService {
  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly rateLimits: RateLimitService,
    private readonly profileTokens: ProfileTokensService,
  ) {}

  private async throttleLogin(email: string, meta: RequestMeta): Promise<void> {
    const rule = { limit: this.config.auth.loginLimitPerMinute, windowMs: 60_000 };
    await this.rateLimits.consume({ ...rule, bucket: 'login-ip' }, meta.ip);
    await this.rateLimits.consume(
      { ...rule, bucket: 'login-account' },
      this.users.normaliseEmail(email),
    );
  }

  /**
   * Checks an email and password with the same answer and timing for an unknown account and a
   * wrong password. Shared by the login endpoint and api-token-auth.
   */
  async verifyCredentials(
    email: string,
    password: string,
    meta: RequestMeta,
    ssoCode: AuthErrorCode.SsoRequired | AuthErrorCode.SsoUser,
  ): Promise<Membership> {
    await this.throttleLogin(email, meta);
    const member = await this.users.findByEmail(email);
    if (member?.authMethod === AuthMethod.Sso) {
      throw new AuthException(
        ssoCode,
        ssoCode === AuthErrorCode.SsoRequired
          ? 'This account signs in through your organization’s identity provider (SSO); it has no password.'
          : 'SSO accounts have no password. Sign in with SSO and create a token from your profile (POST /api/v1/profile/tokens).',
      );
    }
    const valid = await this.users.verifyPassword(member, password);
    if (!member || !valid) {
      if (member) await this.users.recordLogin(member, false);
      throw new AuthException(AuthErrorCode.InvalidCredentials, BAD_CREDENTIALS);
    }
    if (!member.isActive) {
      throw new AuthException(AuthErrorCode.AccountDisabled, 'This account has been deactivated.');
    }
    return member;
  }

  async login(
    email: string,
    password: string,
    meta: RequestMeta,
  ): Promise<{ member: Membership } & IssuedSession> {
    const member = await this.verifyCredentials(email, password, meta, AuthErrorCode.SsoRequired);
    await this.users.recordLogin(member, true);
    const issued = await this.sessions.start(member.user.id, AuthMethod.Password, meta);
    return { member, ...issued };
  }

  /** api-token-auth: the same credential check as login, then a token on the api_token_auth channel. */
  async obtainToken(body: ApiTokenAuthDto, meta: RequestMeta): Promise<CreatedTokenView> {
    const member = await this.verifyCredentials(
      body.username,
      body.password,
      meta,
      AuthErrorCode.SsoUser,
    );
    if (!member.permissions.includes(Permission.ManageApiTokens)) {
      throw new AuthException(
        AuthErrorCode.PermissionDenied,
        'You may not create API tokens; ask an organization superuser for "Can create and manage personal API tokens".',
      );
    }
    return this.profileTokens.create(
      { userId: member.user.id, organizationId: member.organizationId },
      {
        name: body.name ?? `api-token-auth ${new Date().toISOString()}`,
        expiresInDays: body.expiresInDays,
      },
      meta,
      TokenChannel.ApiTokenAuth,
    );
  }

  async reauthenticate(principal: Principal, password: string, meta: RequestMeta): Promise<Date> {
    if (principal.authMethod === AuthMethod.Sso || !principal.sessionId) {
      throw new AuthException(
        AuthErrorCode.SsoRequired,
        'SSO accounts need no password re-entry; their SSO session is the authority.',
      );
    }
    await this.throttleLogin(principal.email, meta);
    const member = await this.users.findById(principal.userId);
    if (!member || !(await this.users.verifyPassword(member, password))) {
      if (member) await this.users.recordLogin(member, false);
      throw new AuthException(AuthErrorCode.InvalidCredentials, 'The password is incorrect.');
    }
    return this.sessions.markPasswordVerified(principal.sessionId);
  }

  logout(principal: Principal): Promise<void> {
    return principal.sessionId ? this.sessions.end(principal.sessionId) : Promise.resolve();
  }

  /** The principal behind a session cookie (and the session's CSRF hash); 401 when there is none. */
  async principalForSession(secret: string): Promise<{ principal: Principal; csrfHash: string }> {
    const session = await this.sessions.resolve(secret);
    if (session === 'expired') {
      throw new AuthException(
        AuthErrorCode.SessionExpired,
        'Your session has expired; sign in again.',
        { headers: CHALLENGE },
      );
    }
    const member = session === 'unknown' ? null : await this.users.findById(session.userId);
    if (session === 'unknown' || !member || !member.isActive) {
      throw new AuthException(
        AuthErrorCode.AuthenticationRequired,
        'Your session is not valid; sign in again.',
        { headers: CHALLENGE },
      );
    }
    const principal: Principal = {
      userId: member.user.id,
      organizationId: member.organizationId,
      email: member.user.email,
      name: member.user.name,
      authMethod: member.authMethod,
      isSuperuser: member.isSuperuser,
      permissions: member.permissions,
      via: 'session',
      sessionId: session.id,
      passwordVerifiedAt: session.passwordVerifiedAt,
    };
    return { principal, csrfHash: session.csrfHash };
  }

  isPasswordRecent(principal: Principal): boolean {
    if (principal.authMethod === AuthMethod.Sso) return true;
    const verifiedAt = principal.passwordVerifiedAt?.getTime() ?? 0;
    return Date.now() - verifiedAt < this.config.auth.reauthWindowMinutes * 60_000;
  }
}
